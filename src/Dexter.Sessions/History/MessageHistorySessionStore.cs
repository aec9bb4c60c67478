namespace Dexter.Sessions;

/// <summary>
/// A store of one session over a <see cref="MessageHistory"/> the caller holds, so a turn over that history takes the same path as
/// a turn over a stored session: its turns are read from the history and the new turn is added to it; nothing else is kept.
/// </summary>
/// <remarks>
/// Every such store answers to the same session id, <see cref="SessionId"/>; a turn over it therefore never reads or writes the
/// caches that are keyed by session id (<see cref="SessionTurn.OverCallersHistory"/>). The history keeps no rolling summary, and
/// the summaries of its turns are the ones they were added with.
/// </remarks>
internal sealed class MessageHistorySessionStore : ISessionStore
{
    /// <summary>The id of the one session of the store, as the turn's logs show it.</summary>
    public const string SessionId = "(history)";

    /// <summary>Initializes the store over <paramref name="history"/>.</summary>
    /// <param name="history">The caller's history.</param>
    public MessageHistorySessionStore(MessageHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        History = history;
    }

    /// <summary>Gets the caller's history.</summary>
    public MessageHistory History { get; }

    /// <inheritdoc />
    public Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Task.FromResult<MessageHistory?>(History);

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: the caller's history is changed by its turns only.</exception>
    public Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("A caller's MessageHistory is changed by its turns only; change it directly.");

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var had = History.Count > 0;
        History.Clear();
        return Task.FromResult(had);
    }

    /// <inheritdoc />
    /// <returns><see langword="true"/>: the history is the conversation, and exists as long as the caller holds it.</returns>
    public Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default) => Task.FromResult(true);

    /// <inheritdoc />
    /// <returns><see langword="false"/>: the session exists already.</returns>
    public Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default) => Task.FromResult(false);

    /// <inheritdoc />
    /// <returns><see langword="null"/>: a caller's history has no metadata.</returns>
    public Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Task.FromResult<SessionMetadata?>(null);

    /// <inheritdoc />
    public Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested(); // as a store's append does: a turn cancelled before it is added adds nothing
        return Task.FromResult(History.Add(message));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default)
    {
        var all = History.GetAll();
        return Task.FromResult(count >= all.Count ? all : (IReadOnlyList<Message>)all.Skip(all.Count - count).ToArray());
    }

    /// <inheritdoc />
    public Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default)
    {
        History.UpdateEmbeddings(messages);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <returns><see langword="false"/>: the turns of a caller's history keep the summaries they were added with.</returns>
    public Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default) =>
        Task.FromResult(false);

    /// <inheritdoc />
    /// <returns><see langword="null"/>: a caller's history keeps no rolling summary.</returns>
    public Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Task.FromResult<SessionSummary?>(null);

    /// <inheritdoc />
    /// <returns><see langword="false"/>: a caller's history keeps no rolling summary.</returns>
    public Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default) =>
        Task.FromResult(false);
}
