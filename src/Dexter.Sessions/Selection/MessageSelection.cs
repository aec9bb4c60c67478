namespace Dexter.Sessions;

/// <summary>What an <see cref="IMessageSelector"/> chose, and what it computed on the way that is worth keeping.</summary>
/// <remarks>
/// A selector never writes to a store. When it computes something per turn (an embedding of a turn that had none), it returns
/// those turns in <see cref="UpdatedTurns"/> and the turn's owner (<see cref="SessionTurnPipeline"/>) persists them with
/// <see cref="ISessionStore.UpdateEmbeddingsAsync"/>, so each turn is embedded once.
/// </remarks>
public sealed class MessageSelection
{
    /// <summary>Initializes a selection.</summary>
    /// <param name="turns">The selected turns, in chronological order.</param>
    /// <param name="updatedTurns">Turns that carry embeddings computed during the selection, to be persisted; none when <see langword="null"/>.</param>
    /// <param name="mostRelevantFirst">The same turns, most relevant first, for the token budget to leave out the least relevant;
    /// when <see langword="null"/>, the latest turn counts as the most relevant.</param>
    public MessageSelection(IReadOnlyList<Message> turns, IReadOnlyList<Message>? updatedTurns = null, IReadOnlyList<Message>? mostRelevantFirst = null)
    {
        ArgumentNullException.ThrowIfNull(turns);
        Turns = turns;
        UpdatedTurns = updatedTurns ?? [];
        MostRelevantFirst = mostRelevantFirst ?? [.. turns.Reverse()];
    }

    /// <summary>Gets the selected turns, in chronological order.</summary>
    public IReadOnlyList<Message> Turns { get; }

    /// <summary>Gets the selected turns, most relevant first (for a selector that ranks only by recency: the latest first).</summary>
    public IReadOnlyList<Message> MostRelevantFirst { get; }

    /// <summary>Gets the turns whose embeddings were computed during the selection and should be stored.</summary>
    public IReadOnlyList<Message> UpdatedTurns { get; }

    /// <summary>Gets why each turn of <see cref="MostRelevantFirst"/> was ranked where it was, in the same order; <see langword="null"/>
    /// when the selector does not say (for example, it ranks by recency alone).</summary>
    public IReadOnlyList<TurnRelevance>? Relevance { get; init; }

    /// <summary>Gets the query's embedding, when the selector computed one; the new turn is recorded with it, so it is computed once.</summary>
    public ReadOnlyMemory<float> QueryEmbedding { get; init; }
}
