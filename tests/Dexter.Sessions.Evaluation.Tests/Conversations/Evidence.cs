namespace Dexter.Sessions.Evaluation.Tests.Conversations;

/// <summary>A turn a question needs, and the words of the fact it states (which appear in no other user message).</summary>
/// <param name="TurnId">The turn's id.</param>
/// <param name="Fact">The fact's value as the user wrote it, such as "tabby cat" or "Porto".</param>
internal sealed record Evidence(int TurnId, string Fact);
