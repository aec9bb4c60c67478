namespace Dexter.Sessions.Evaluation.Tests.Conversations;

/// <summary>A generated conversation: its turns, in order, and the questions asked after the last one.</summary>
/// <param name="Name">A name for reports, such as "conversation 3".</param>
/// <param name="Turns">The turns; turn <c>i</c> (0-based) has id <c>i + 1</c>.</param>
/// <param name="Questions">The questions.</param>
/// <param name="AskedAt">When the questions are asked: the day after the last turn.</param>
internal sealed record Conversation(string Name, IReadOnlyList<ConversationTurn> Turns, IReadOnlyList<EvaluationQuestion> Questions, DateTimeOffset AskedAt)
{
    /// <summary>Gets the turn with id <paramref name="id"/>.</summary>
    public ConversationTurn Turn(int id) => Turns[id - 1];
}
