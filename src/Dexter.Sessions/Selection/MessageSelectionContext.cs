namespace Dexter.Sessions;

/// <summary>What a <see cref="IMessageSelector"/> chooses from.</summary>
public sealed class MessageSelectionContext
{
    /// <summary>
    /// What <see cref="IMessageSelector.GetCandidateCount(int)"/> returns to rank every turn of the session: the turns are then read
    /// through an in-process cache that reads only the turns appended since the last query, and <see cref="MaxMessages"/> is this
    /// value (the token budget decides how many turns the model receives).
    /// </summary>
    public const int WholeSession = int.MaxValue;

    /// <summary>Initializes a context.</summary>
    /// <param name="query">The new query.</param>
    /// <param name="turns">The candidate turns, in chronological order.</param>
    /// <param name="maxMessages">How many turns to return at most; at least 1.</param>
    public MessageSelectionContext(string query, IReadOnlyList<Message> turns, int maxMessages)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        Query = query;
        Turns = turns;
        MaxMessages = maxMessages;
    }

    /// <summary>Gets the new query.</summary>
    public string Query { get; }

    /// <summary>Gets the candidate turns, in chronological order.</summary>
    public IReadOnlyList<Message> Turns { get; }

    /// <summary>Gets how many turns to return at most.</summary>
    public int MaxMessages { get; }

    /// <summary>
    /// Gets the tokens the selected turns will be fitted into (<see cref="DexterSessionsOptions.MaxContextTokens"/>), when the caller
    /// fits them to a budget; a selector that ranks many turns may then return only as many as the budget could hold.
    /// </summary>
    public int? MaxTokens { get; init; }

    /// <summary>Gets the session the turns belong to, when they come from a store; for logs.</summary>
    public string? SessionId { get; init; }
}
