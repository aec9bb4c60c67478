namespace Dexter.Sessions.Evaluation.Tests.Conversations;

/// <summary>One turn of a generated conversation: what the user says, what the model answers, and when.</summary>
/// <param name="Id">The turn's id once recorded: 1 for the first turn, as the store numbers them.</param>
/// <param name="At">When the user says it.</param>
/// <param name="User">The user's message.</param>
/// <param name="Answer">The scripted answer of the model.</param>
internal sealed record ConversationTurn(int Id, DateTimeOffset At, string User, string Answer);
