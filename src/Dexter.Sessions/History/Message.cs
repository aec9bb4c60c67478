using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <summary>
/// One turn of a conversation: the user's query, the agent's answer and a short summary of both.
/// </summary>
/// <remarks>
/// Turns are immutable. A store assigns <see cref="Id"/> when it records the turn: ids start at 1 and
/// grow by one per turn within a session, so the n-th turn of a session has id n.
/// </remarks>
public sealed record Message
{
    /// <summary>Gets the turn's 1-based position in its session, assigned by the store; 0 before the turn is recorded.</summary>
    public int Id { get; init; }

    /// <summary>Gets the user's query.</summary>
    public required string Query { get; init; }

    /// <summary>Gets the agent's answer.</summary>
    public required string Answer { get; init; }

    /// <summary>Gets a short summary of the turn, used to select and present context; empty when none was made.</summary>
    public string Summary { get; init; } = string.Empty;

    /// <summary>Gets when the turn was recorded.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets the number of input tokens the model reported for the turn, when it reported any.</summary>
    public long? InputTokenCount { get; init; }

    /// <summary>Gets the number of output tokens the model reported for the turn, when it reported any.</summary>
    public long? OutputTokenCount { get; init; }

    /// <summary>Gets how long the model took to answer, when it was measured.</summary>
    public TimeSpan? ResponseTime { get; init; }

    /// <summary>
    /// Gets the cached embedding of the turn (of its <see cref="Summary"/>, or of query and answer when there is no summary);
    /// empty when the turn has not been embedded.
    /// </summary>
    /// <remarks>Stores persist the vector with the turn so that each turn is embedded once.</remarks>
    public ReadOnlyMemory<float> Embedding { get; init; }

    /// <summary>
    /// Gets the whole exchange of the turn as Microsoft.Extensions.AI messages: the user's message, then everything the model
    /// produced for it (function calls, function results, the final answer); empty for turns recorded without it.
    /// </summary>
    /// <remarks>Stores persist the messages with the turn (<see cref="TurnRecordSerializer"/>), so a later turn can replay them.</remarks>
    public IReadOnlyList<ChatMessage> ChatMessages { get; init; } = [];

    /// <summary>
    /// Gets the tokens the turn takes when its messages are replayed as context (<see cref="ContextBudget.CountTokens(Microsoft.ML.Tokenizers.Tokenizer, IEnumerable{ChatMessage})"/>),
    /// counted once when the turn is recorded; <see langword="null"/> for turns recorded without it.
    /// </summary>
    public int? TokenCount { get; init; }

    /// <summary>Gets whether the turn's summary fell back to truncation because the summarizer failed.</summary>
    public bool SummarizerFellBack { get; init; }

    /// <summary>Gets whether the turn was answered with the latest turns as context because the message selector failed.</summary>
    public bool SelectorFellBack { get; init; }

    /// <summary>
    /// Gets whether the answer was stopped before the model finished it (a cancelled run, a client that disconnected, a stop
    /// button): <see cref="Answer"/> holds what the model had written by then. See <see cref="DexterSessionsOptions.RecordInterruptedTurns"/>.
    /// </summary>
    /// <remarks>
    /// The next turns' context shows such a turn as stopped (<see cref="TextContextFormat.InterruptedNote"/>), so the model does not
    /// take the partial answer for a whole one.
    /// </remarks>
    public bool Interrupted { get; init; }

    /// <summary>
    /// Gets the key that makes a retried turn be recorded once (an HTTP <c>Idempotency-Key</c>, say), or <see langword="null"/>.
    /// </summary>
    /// <remarks>
    /// An append of a turn with a key the session already holds records nothing and returns the turn recorded with it; of
    /// concurrent appends with one key exactly one records its turn. Stores keep the key beside the turn (see
    /// <see cref="TurnKey"/> for what a key may be), find it with <see cref="ISessionStore.GetTurnByKeyAsync"/>, and forget it
    /// when the turn is rewound or the session deleted. Turns read by the other methods do not carry it.
    /// </remarks>
    public string? TurnKey { get; init; }

    /// <summary>
    /// Gets the turn's content sealed as one authenticated blob by encryption at rest (<see cref="EncryptingSessionStore"/>);
    /// empty for a turn in clear. Stores keep it through <see cref="TurnRecordSerializer"/>, which writes it as the record's
    /// <c>sealed</c> field.
    /// </summary>
    internal ReadOnlyMemory<byte> SealedContent { get; init; }

    /// <summary>Returns the text that stands for this turn when it is embedded or compared: the summary, or the query and answer.</summary>
    /// <returns>The turn's summary when it has one; otherwise its query and answer.</returns>
    public string GetRepresentativeText() =>
        string.IsNullOrWhiteSpace(Summary) ? Query + "\n" + Answer : Summary;

    /// <inheritdoc />
    public bool Equals(Message? other) =>
        other is not null &&
        Id == other.Id &&
        Query == other.Query &&
        Answer == other.Answer &&
        Summary == other.Summary &&
        CreatedAt == other.CreatedAt &&
        InputTokenCount == other.InputTokenCount &&
        OutputTokenCount == other.OutputTokenCount &&
        ResponseTime == other.ResponseTime &&
        TokenCount == other.TokenCount &&
        SummarizerFellBack == other.SummarizerFellBack &&
        SelectorFellBack == other.SelectorFellBack &&
        Interrupted == other.Interrupted &&
        Embedding.Span.SequenceEqual(other.Embedding.Span) &&
        ChatMessagesEqual(ChatMessages, other.ChatMessages);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Query, Answer, Summary, CreatedAt);

    // ChatMessage has no value equality: two lists are equal when they hold the same messages or serialize alike.
    private static bool ChatMessagesEqual(IReadOnlyList<ChatMessage> left, IReadOnlyList<ChatMessage> right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (!ReferenceEquals(left[i], right[i]) &&
                !System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(left[i], AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage)))
                    .AsSpan().SequenceEqual(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(right[i], AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage)))))
            {
                return false;
            }
        }

        return true;
    }
}
