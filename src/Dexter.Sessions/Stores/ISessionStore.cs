namespace Dexter.Sessions;

/// <summary>
/// Keeps the turns of conversation sessions.
/// </summary>
/// <remarks>
/// <para>
/// Every implementation runs the same contract tests. Session ids are checked with <see cref="SessionId.ThrowIfInvalid"/>
/// at every call. A store records turns with <see cref="AppendAsync"/>, which is atomic: concurrent appends to one
/// session, from one process or many, never lose or duplicate a turn, and the store assigns ids 1, 2, 3… per session.
/// </para>
/// <para>
/// Sessions expire after <see cref="DexterSessionsOptions.SessionTtl"/> without writes; every write refreshes the expiry.
/// A store that cannot be reached throws <see cref="SessionStoreUnavailableException"/>.
/// </para>
/// </remarks>
public interface ISessionStore
{
    /// <summary>Reads every turn of a session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The session's history, or <see langword="null"/> when the session does not exist.</returns>
    Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Replaces every turn of a session with the turns of <paramref name="history"/>, creating the session when needed.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="history">The turns to keep; their ids are kept, and the next appended turn gets the id after the last of them.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the history is stored.</returns>
    Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session and all its turns.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">A token to cancel the delete.</param>
    /// <returns><see langword="true"/> when the session existed.</returns>
    Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Tells whether a session exists (and has not expired).</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns><see langword="true"/> when the session exists.</returns>
    Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Creates an empty session, owned by <paramref name="owner"/> when one is given.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="owner">The principal that owns the session, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when the session was created; <see langword="false"/> when it already existed (it is left as it was).</returns>
    Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default);

    /// <summary>Reads what the store knows about a session besides its turns.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The metadata, or <see langword="null"/> when the session does not exist.</returns>
    Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a turn at the end of a session, atomically, creating the session when needed and refreshing its expiry.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="message">The turn; its <see cref="Message.Id"/> is ignored.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>The turn as recorded, with the id the store assigned.</returns>
    Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a turn at the end of a session only while that session exists, atomically: a session deleted (or expired)
    /// before the turn is recorded stays deleted, and the turn is not recorded. A turn that began on an existing session is
    /// recorded this way, so that a delete racing an answer wins.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="message">The turn; its <see cref="Message.Id"/> is ignored.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>The turn as recorded, with the id the store assigned; <see langword="null"/> when the session does not exist.</returns>
    /// <remarks>
    /// The default implementation asks <see cref="ExistsAsync"/> and then calls <see cref="AppendAsync"/>, so a delete can
    /// pass between the two; every store of Dexter.Sessions does it in one atomic step, as a store of your own should.
    /// </remarks>
    async Task<Message?> AppendToExistingAsync(string sessionId, Message message, CancellationToken cancellationToken = default) =>
        await ExistsAsync(sessionId, cancellationToken).ConfigureAwait(false)
            ? await AppendAsync(sessionId, message, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>Reads the latest turns of a session without reading the rest; the cost does not grow with the history.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="count">How many turns to read at most; must be positive.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The latest turns in chronological order; empty when the session does not exist or has no turns.</returns>
    Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the <see cref="Message.Embedding"/> of each of <paramref name="messages"/> on the session's turn with the same id,
    /// so that a turn is embedded once. Turns that no longer exist are skipped; the rest of each turn is left as it was.
    /// </summary>
    /// <remarks>
    /// It is a write, and counts as activity as every write does: it refreshes the session's expiry and its last activity. It
    /// never creates a session: a session that does not exist (or has expired) stays so.
    /// </remarks>
    /// <param name="sessionId">The session id.</param>
    /// <param name="messages">Turns carrying the embeddings to keep.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the embeddings are stored.</returns>
    Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the per-turn summary (<see cref="Message.Summary"/>) of one recorded turn, for a summary written after the turn
    /// was recorded (say, by the model once the answer was streamed). The rest of the turn (query, answer, chat messages,
    /// embedding, id, time, token counts) is left as it was.
    /// </summary>
    /// <remarks>
    /// The update is atomic with respect to concurrent appends and <see cref="UpdateEmbeddingsAsync"/>: neither loses its
    /// write to it, nor it to them. It does not count as activity: the session's expiry and last activity are not changed.
    /// </remarks>
    /// <param name="sessionId">The session id.</param>
    /// <param name="turnId">The id of the turn (<see cref="Message.Id"/>); 1 or more.</param>
    /// <param name="summary">The new summary of the turn; not empty.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when the turn's summary was replaced; <see langword="false"/> when the session (or the turn in it) does not exist.</returns>
    /// <exception cref="ArgumentException">The session id is not valid, <paramref name="turnId"/> is below 1, or <paramref name="summary"/> is <see langword="null"/> or empty.</exception>
    Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces recorded turns of a session, each with what <paramref name="update"/> makes of the turn as this store holds it:
    /// the read-modify-write that a decorator needs to rewrite what it owns of a turn as a whole (encryption at rest re-seals a
    /// turn's content when its summary or embedding changes).
    /// </summary>
    /// <remarks>
    /// Each turn is replaced atomically with respect to concurrent appends, <see cref="UpdateEmbeddingsAsync"/> and
    /// <see cref="UpdateTurnSummaryAsync"/>: a turn changed between the read and the write is read again, so
    /// <paramref name="update"/> may run more than once for a turn; it must not change the turn's id. It does not count as
    /// activity: the session's expiry and last activity are not changed. The default implementation throws
    /// <see cref="NotSupportedException"/>; the stores of Dexter.Sessions implement it.
    /// </remarks>
    /// <param name="sessionId">The session id.</param>
    /// <param name="turnIds">The ids of the turns to replace; ids of turns that do not exist are skipped.</param>
    /// <param name="update">Makes the new turn from the stored one.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>How many turns were replaced; 0 when the session does not exist.</returns>
    /// <exception cref="ArgumentException">The session id is not valid, or an id is below 1.</exception>
    /// <exception cref="NotSupportedException">The store does not implement it.</exception>
    Task<int> UpdateTurnsAsync(string sessionId, IReadOnlyCollection<int> turnIds, Func<Message, Message> update, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException(
            $"The session store {GetType().Name} cannot replace recorded turns: implement ISessionStore.UpdateTurnsAsync (read the turns, " +
            "apply the update, write them back atomically) to use it with encryption at rest.");

    /// <summary>
    /// Counts as activity on an existing session without changing anything else: refreshes its expiry and sets its last activity
    /// to now (so it moves to the front of its owner's <see cref="ListSessionsAsync"/>), as a write does.
    /// </summary>
    /// <remarks>
    /// For a decorator whose write goes through <see cref="UpdateTurnsAsync"/>, which is not activity, where the write it stands
    /// for is: encryption at rest stores embeddings that way, and touches the session after, so that an embedding update refreshes
    /// the session as <see cref="UpdateEmbeddingsAsync"/> does without encryption. A session that does not exist (or has expired)
    /// is not created. The default implementation throws <see cref="NotSupportedException"/>; every store of Dexter.Sessions
    /// implements it.
    /// </remarks>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when the session exists and was touched; <see langword="false"/> when it does not exist.</returns>
    /// <exception cref="ArgumentException">The session id is not valid.</exception>
    /// <exception cref="NotSupportedException">The store does not implement it.</exception>
    Task<bool> TouchAsync(string sessionId, CancellationToken cancellationToken = default) =>
        throw NotImplementedBy(nameof(TouchAsync));

    /// <summary>
    /// Records where an existing session was forked from (<see cref="SessionMetadata.ForkedFromSessionId"/> and
    /// <see cref="SessionMetadata.ForkedFromTurnId"/>), replacing any origin it had: for a session that is made again from what
    /// <see cref="ForkAsync"/> made, as <see cref="SessionExportExtensions.ImportSessionAsync"/> makes an exported fork.
    /// </summary>
    /// <remarks>
    /// The session named as the origin need not exist in this store (an import may bring the fork without it). Setting the origin
    /// does not count as activity: the session's expiry and last activity are not changed. The default implementation throws
    /// <see cref="NotSupportedException"/>; every store of Dexter.Sessions implements it.
    /// </remarks>
    /// <param name="sessionId">The session id.</param>
    /// <param name="forkedFromSessionId">The id of the session it was forked from; a valid session id other than <paramref name="sessionId"/>.</param>
    /// <param name="forkedFromTurnId">The id of the last turn copied from that session; 0 or more.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when the origin was stored; <see langword="false"/> when the session does not exist.</returns>
    /// <exception cref="ArgumentException">A session id is not valid, the ids are equal, or <paramref name="forkedFromTurnId"/> is negative.</exception>
    /// <exception cref="NotSupportedException">The store does not implement it.</exception>
    Task<bool> SetForkOriginAsync(string sessionId, string forkedFromSessionId, int forkedFromTurnId, CancellationToken cancellationToken = default) =>
        throw NotImplementedBy(nameof(SetForkOriginAsync));

    /// <summary>Reads the rolling summary of a session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The summary, or <see langword="null"/> when the session does not exist or has no summary yet.</returns>
    Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the rolling summary of a session by compare-and-set, atomically: only when the session exists, its current
    /// summary covers turns through exactly <paramref name="expectedThroughTurnId"/> (0: it has none yet), and
    /// <paramref name="summary"/> covers more (<see cref="SessionSummary.ThroughTurnId"/> greater than it). Otherwise nothing
    /// changes. A stored summary refreshes the session's expiry, as every write does.
    /// </summary>
    /// <remarks>
    /// Of concurrent updates made from the same summary, exactly one wins; the others read the summary again and fold their
    /// turns into it. <see cref="DeleteAsync"/> and expiry remove the summary with the session; <see cref="SetAsync"/>
    /// removes it (the history it summarized is replaced); <see cref="CreateAsync"/> starts a session without one.
    /// </remarks>
    /// <param name="sessionId">The session id.</param>
    /// <param name="summary">The new summary; its <see cref="SessionSummary.ThroughTurnId"/> must be 1 or more.</param>
    /// <param name="expectedThroughTurnId">The <see cref="SessionSummary.ThroughTurnId"/> of the summary it replaces, or 0 when the session has none.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when the summary was stored; <see langword="false"/> when the session does not exist or its summary is not the one expected.</returns>
    /// <exception cref="ArgumentException">The session id is not valid, the summary has no text or a <see cref="SessionSummary.ThroughTurnId"/> below 1, or <paramref name="expectedThroughTurnId"/> is negative.</exception>
    Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the sessions of one owner, newest activity first, one page at a time. The listing reads a per-owner index (never every
    /// session); expired and deleted sessions are not listed.
    /// </summary>
    /// <remarks>
    /// <para>Sessions are ordered by <see cref="SessionMetadata.LastActivityAt"/>, newest first, then by session id. Pass the
    /// <see cref="SessionListPage.NextCursor"/> of a page to get the next one; a walk never returns a session twice. A session written
    /// during a walk moves to the front of the list: a walk already past that point does not see it again.</para>
    /// <para>The default implementation throws <see cref="NotSupportedException"/>: a store of your own lists sessions only when it
    /// implements this member. Every store of Dexter.Sessions does.</para>
    /// </remarks>
    /// <param name="owner">The owner whose sessions are listed, as given to <see cref="CreateAsync"/>.</param>
    /// <param name="limit">How many sessions a page holds at most: 1 to 1000.</param>
    /// <param name="cursor">The <see cref="SessionListPage.NextCursor"/> of the previous page, or <see langword="null"/> for the first page.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The page: each session's id, title, turn count, creation and last activity times, and owner.</returns>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is empty, <paramref name="limit"/> is out of range, or <paramref name="cursor"/> is not one a listing returned.</exception>
    /// <exception cref="NotSupportedException">The store does not list sessions.</exception>
    Task<SessionListPage> ListSessionsAsync(string owner, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException(
            $"The session store {GetType().FullName} does not list sessions per owner: implement ISessionStore.ListSessionsAsync in it, " +
            "or use a store of Dexter.Sessions (memory, SQLite, PostgreSQL or Redis).");

    /// <summary>
    /// Sets the title of a session. The owner's title (<see cref="SessionTitleSource.Owner"/>, the default) always replaces the title;
    /// another is stored only over a title of a lower <see cref="SessionTitleSource"/>: the first question's only while the session has
    /// no title, the model's only while the owner has not named the session. The check and the write are one atomic step.
    /// </summary>
    /// <remarks>
    /// <para>The title is normalized by <see cref="SessionTitles.Normalize"/> (one line, 1 to <see cref="SessionTitles.MaxLength"/>
    /// characters). Setting a title does not count as activity: the session's expiry and its place in
    /// <see cref="ListSessionsAsync"/> are not changed.</para>
    /// <para>The default implementation throws <see cref="NotSupportedException"/>; every store of Dexter.Sessions implements it.</para>
    /// </remarks>
    /// <param name="sessionId">The session id.</param>
    /// <param name="title">The title.</param>
    /// <param name="source">Who wrote the title.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns><see langword="true"/> when the title was stored; <see langword="false"/> when the session does not exist, or its title is of the same or a higher source.</returns>
    /// <exception cref="ArgumentException">The session id is not valid, the title is empty or too long, or <paramref name="source"/> is <see cref="SessionTitleSource.None"/> or not defined.</exception>
    /// <exception cref="NotSupportedException">The store does not keep titles.</exception>
    Task<bool> SetTitleAsync(string sessionId, string title, SessionTitleSource source = SessionTitleSource.Owner, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException(
            $"The session store {GetType().FullName} does not keep titles: implement ISessionStore.SetTitleAsync in it, " +
            "or use a store of Dexter.Sessions (memory, SQLite, PostgreSQL or Redis).");

    /// <summary>
    /// Removes the turns of a session after turn <paramref name="throughTurnId"/>, atomically, keeping the session (its owner,
    /// creation time and fork origin): the next appended turn gets id <paramref name="throughTurnId"/> + 1. A rolling summary
    /// that covered a removed turn is removed, and so are the turn keys of removed turns. With 0 every turn is removed.
    /// </summary>
    /// <remarks>
    /// With <paramref name="expectedLastTurnId"/> the rewind is a compare-and-set: it happens only when the session's last turn
    /// is still that one, so a turn appended after the caller looked is never lost to it (the result says
    /// <see cref="RewindStatus.Conflict"/> and gives the actual last turn). A rewind is a write: it refreshes the session's expiry.
    /// A rewind to the last turn or beyond removes nothing and succeeds.
    /// </remarks>
    /// <param name="sessionId">The session id.</param>
    /// <param name="throughTurnId">The last turn to keep; 0 or more.</param>
    /// <param name="expectedLastTurnId">The id of the session's last turn as the caller saw it (0: no turns), or <see langword="null"/> to rewind whatever was appended meanwhile.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>What the rewind did.</returns>
    /// <exception cref="ArgumentException">The session id is not valid, or a turn id is negative.</exception>
    /// <exception cref="NotSupportedException">The store does not implement rewinding (the default implementation; every store of Dexter.Sessions does).</exception>
    Task<RewindResult> RewindAsync(string sessionId, int throughTurnId, int? expectedLastTurnId = null, CancellationToken cancellationToken = default) =>
        throw NotImplementedBy(nameof(RewindAsync));

    /// <summary>
    /// Creates session <paramref name="newSessionId"/> with the owner of <paramref name="sourceSessionId"/> (or <paramref name="owner"/>) and copies of its
    /// turns 1 to <paramref name="throughTurnId"/> (same ids, content and times), created the way <see cref="CreateAsync"/>
    /// creates a session (so it is listed with its owner's sessions by <see cref="ListSessionsAsync"/>), and the source's
    /// title and title source. The new session's metadata names its origin (<see cref="SessionMetadata.ForkedFromSessionId"/>,
    /// <see cref="SessionMetadata.ForkedFromTurnId"/>); the source is not changed.
    /// </summary>
    /// <remarks>
    /// The copy is of one consistent state of the source. The new session starts without a rolling summary and without turn
    /// keys. The turns are copied, not shared: the cost grows with <paramref name="throughTurnId"/>. Measured for 10,000 turns of
    /// about 500 bytes: under 1 ms in memory, about 0.1–0.25 s on SQLite, PostgreSQL and Redis, and 2–3 s through
    /// <see cref="EncryptingSessionStore"/>, which writes each record again for the new session (the README has the figures).
    /// </remarks>
    /// <param name="sourceSessionId">The session to fork.</param>
    /// <param name="throughTurnId">The last turn to copy; 0 or more, at most the source's last turn.</param>
    /// <param name="newSessionId">The id of the new session; it must not exist.</param>
    /// <param name="owner">The owner of the new session, or <see langword="null"/> for the source's owner.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>The new session's metadata; <see langword="null"/> when the source does not exist.</returns>
    /// <exception cref="ArgumentException">A session id is not valid, the ids are equal, or <paramref name="throughTurnId"/> is negative.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="throughTurnId"/> is after the source's last turn.</exception>
    /// <exception cref="InvalidOperationException">Session <paramref name="newSessionId"/> already exists.</exception>
    /// <exception cref="NotSupportedException">The store does not implement forking (the default implementation; every store of Dexter.Sessions does).</exception>
    Task<SessionMetadata?> ForkAsync(string sourceSessionId, int throughTurnId, string newSessionId, string? owner = null, CancellationToken cancellationToken = default) =>
        throw NotImplementedBy(nameof(ForkAsync));

    /// <summary>Finds the turn recorded with a turn key (<see cref="Message.TurnKey"/>), in one read.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="turnKey">The key.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The turn, carrying the key; <see langword="null"/> when the session does not exist or holds no turn with the key.</returns>
    /// <exception cref="ArgumentException">The session id or the key is not valid.</exception>
    /// <exception cref="NotSupportedException">The store does not implement turn keys (the default implementation; every store of Dexter.Sessions does).</exception>
    Task<Message?> GetTurnByKeyAsync(string sessionId, string turnKey, CancellationToken cancellationToken = default) =>
        throw NotImplementedBy(nameof(GetTurnByKeyAsync));

    private NotSupportedException NotImplementedBy(string member) =>
        new($"{GetType().Name} does not implement ISessionStore.{member}; implement it (atomically, as the stores of Dexter.Sessions do) to rewind, fork, import forks, retry turns or encrypt embeddings with it.");

    /// <summary>
    /// Finds an object of <paramref name="serviceType"/> in this store: the store itself when it is one; a decorator
    /// (<see cref="DelegatingSessionStore"/>) also asks the store it wraps.
    /// </summary>
    /// <param name="serviceType">The type wanted.</param>
    /// <returns>The object, or <see langword="null"/>.</returns>
    object? GetService(Type serviceType)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceType.IsInstanceOfType(this) ? this : null;
    }
}
