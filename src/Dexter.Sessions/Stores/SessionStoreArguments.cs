namespace Dexter.Sessions;

/// <summary>
/// Checks the arguments of the <see cref="ISessionStore"/> methods that write summaries the same way in every store: the stores
/// of Dexter.Sessions call them, and so can other implementations of <see cref="ISessionStore"/>.
/// </summary>
public static class SessionStoreArguments
{
    /// <summary>Checks the arguments of <see cref="ISessionStore.TrySetSummaryAsync"/>.</summary>
    /// <param name="sessionId">The session; it must be a valid session id (<see cref="SessionId.ThrowIfInvalid"/>).</param>
    /// <param name="summary">The summary; it must have a text (possibly empty) and cover at least turn 1.</param>
    /// <param name="expectedThroughTurnId">The turn the summary read before covered: 0 or more.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> or <paramref name="summary"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The session id or the summary is not valid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedThroughTurnId"/> is negative.</exception>
    public static void ThrowIfInvalidSummary(string sessionId, SessionSummary summary, int expectedThroughTurnId)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Text is null)
        {
            throw new ArgumentException("The summary has no text; give an empty string for a summary with nothing in it.", nameof(summary));
        }

        if (summary.ThroughTurnId < 1)
        {
            throw new ArgumentException(
                $"The summary covers turns through id {summary.ThroughTurnId}; a summary covers at least turn 1, so ThroughTurnId must be 1 or more.",
                nameof(summary));
        }

        if (expectedThroughTurnId < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(expectedThroughTurnId),
                expectedThroughTurnId,
                "The expected turn id must be 0 (the session has no summary yet) or the ThroughTurnId of the summary read before.");
        }
    }

    /// <summary>Checks the arguments of <see cref="ISessionStore.UpdateTurnSummaryAsync"/>.</summary>
    /// <param name="sessionId">The session; it must be a valid session id (<see cref="SessionId.ThrowIfInvalid"/>).</param>
    /// <param name="turnId">The turn: 1 or more.</param>
    /// <param name="summary">The turn's summary: not empty.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> or <paramref name="summary"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The session id is not valid, or <paramref name="summary"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="turnId"/> is less than 1.</exception>
    public static void ThrowIfInvalidTurnSummary(string sessionId, int turnId, string summary)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(turnId, 1);
        ArgumentException.ThrowIfNullOrEmpty(summary);
    }
    /// <summary>Checks the arguments of <see cref="ISessionStore.RewindAsync"/>.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="throughTurnId">The last turn to keep.</param>
    /// <param name="expectedLastTurnId">The last turn the caller expects, or <see langword="null"/>.</param>
    public static void ThrowIfInvalidRewind(string sessionId, int throughTurnId, int? expectedLastTurnId)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentOutOfRangeException.ThrowIfNegative(throughTurnId);
        if (expectedLastTurnId is < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(expectedLastTurnId), expectedLastTurnId, "The expected last turn id must be 0 (no turns) or the id of the last turn the caller read.");
        }
    }

    /// <summary>Checks the arguments of <see cref="ISessionStore.ForkAsync"/>.</summary>
    /// <param name="sourceSessionId">The session to fork.</param>
    /// <param name="throughTurnId">The last turn to copy.</param>
    /// <param name="newSessionId">The id of the new session.</param>
    public static void ThrowIfInvalidFork(string sourceSessionId, int throughTurnId, string newSessionId)
    {
        SessionId.ThrowIfInvalid(sourceSessionId);
        SessionId.ThrowIfInvalid(newSessionId);
        ArgumentOutOfRangeException.ThrowIfNegative(throughTurnId);
        if (string.Equals(sourceSessionId, newSessionId, StringComparison.Ordinal))
        {
            throw new ArgumentException("A fork needs a new session id, different from the id of the session it forks.", nameof(newSessionId));
        }
    }

    /// <summary>Checks the arguments of <see cref="ISessionStore.SetForkOriginAsync"/>.</summary>
    /// <param name="sessionId">The session whose origin is set.</param>
    /// <param name="forkedFromSessionId">The session it was forked from.</param>
    /// <param name="forkedFromTurnId">The last turn copied from that session.</param>
    public static void ThrowIfInvalidForkOrigin(string sessionId, string forkedFromSessionId, int forkedFromTurnId)
    {
        SessionId.ThrowIfInvalid(sessionId);
        SessionId.ThrowIfInvalid(forkedFromSessionId);
        ArgumentOutOfRangeException.ThrowIfNegative(forkedFromTurnId);
        if (string.Equals(sessionId, forkedFromSessionId, StringComparison.Ordinal))
        {
            throw new ArgumentException("A session cannot be forked from itself: name the session it was copied from.", nameof(forkedFromSessionId));
        }
    }

    /// <summary>The exception thrown when a fork asks for turns the source does not have.</summary>
    /// <param name="sourceSessionId">The session to fork.</param>
    /// <param name="throughTurnId">The last turn asked for.</param>
    /// <param name="lastTurnId">The source's last turn.</param>
    /// <returns>The exception to throw.</returns>
    public static ArgumentOutOfRangeException ForkBeyondLastTurn(string sourceSessionId, int throughTurnId, int lastTurnId) =>
        new(
            nameof(throughTurnId),
            throughTurnId,
            $"Session '{sourceSessionId}' ends at turn {lastTurnId}; a fork copies turns 0 to {lastTurnId}, so give a turn id in that range.");

    /// <summary>The exception thrown when the id of a fork is taken.</summary>
    /// <param name="newSessionId">The id of the new session.</param>
    /// <returns>The exception to throw.</returns>
    public static InvalidOperationException ForkTargetExists(string newSessionId) =>
        new($"Session '{newSessionId}' already exists; fork into a new session id (SessionId.New()).");

    /// <summary>Checks the arguments of <see cref="ISessionStore.UpdateTurnsAsync"/>.</summary>
    /// <param name="sessionId">The session; it must be a valid session id (<see cref="SessionId.ThrowIfInvalid"/>).</param>
    /// <param name="turnIds">The turns: each 1 or more.</param>
    /// <param name="update">The update.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The session id is not valid, or an id is below 1.</exception>
    public static void ThrowIfInvalidTurnUpdate(string sessionId, IReadOnlyCollection<int> turnIds, Func<Message, Message> update)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(turnIds);
        ArgumentNullException.ThrowIfNull(update);
        foreach (var id in turnIds)
        {
            if (id < 1)
            {
                throw new ArgumentException($"Turn ids start at 1; {id} is not one.", nameof(turnIds));
            }
        }
    }

    /// <summary>Checks that an update given to <see cref="ISessionStore.UpdateTurnsAsync"/> kept the id of the turn it was given.</summary>
    /// <param name="turnId">The id of the turn given to the update.</param>
    /// <param name="updated">What the update returned.</param>
    /// <returns><paramref name="updated"/>.</returns>
    /// <exception cref="InvalidOperationException">The update returned <see langword="null"/> or a turn with another id.</exception>
    public static Message ThrowIfTurnIdChanged(int turnId, Message updated) =>
        updated is not null && updated.Id == turnId
            ? updated
            : throw new InvalidOperationException($"An update of turn {turnId} must return the turn with the same id; it returned {(updated is null ? "null" : "turn " + updated.Id)}.");

    /// <summary>The most sessions one page of <see cref="ISessionStore.ListSessionsAsync"/> holds.</summary>
    public const int MaxListLimit = 1000;

    /// <summary>Checks the arguments of <see cref="ISessionStore.ListSessionsAsync"/>.</summary>
    /// <param name="owner">The owner: not empty.</param>
    /// <param name="limit">The page size: 1 to <see cref="MaxListLimit"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="owner"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="owner"/> is empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is out of range.</exception>
    public static void ThrowIfInvalidList(string owner, int limit)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxListLimit);
    }

    /// <summary>
    /// Checks the arguments of <see cref="ISessionStore.SetTitleAsync"/> and returns the title to store: normalized by
    /// <see cref="SessionTitles.Normalize"/>, or, for a title encrypted at rest (it starts with
    /// <see cref="EncryptingSessionStore.CiphertextPrefix"/>), as it is, up to <see cref="SessionTitles.MaxStoredLength"/> characters.
    /// </summary>
    /// <param name="sessionId">The session; it must be a valid session id (<see cref="SessionId.ThrowIfInvalid"/>).</param>
    /// <param name="title">The title.</param>
    /// <param name="source">Who wrote it: not <see cref="SessionTitleSource.None"/>.</param>
    /// <returns>The title to store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> or <paramref name="title"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The session id, the title or the source is not valid.</exception>
    public static string ThrowIfInvalidTitle(string sessionId, string title, SessionTitleSource source)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(title);
        if (source is not (SessionTitleSource.Question or SessionTitleSource.Model or SessionTitleSource.Owner))
        {
            throw new ArgumentException($"The title source {source} is not one a title is written by: give Question, Model or Owner.", nameof(source));
        }

        if (title.StartsWith(EncryptingSessionStore.CiphertextPrefix, StringComparison.Ordinal))
        {
            return title.Length <= SessionTitles.MaxStoredLength && !title.Any(char.IsWhiteSpace)
                ? title
                : throw new ArgumentException($"The encrypted title is not valid: it has white space or more than {SessionTitles.MaxStoredLength} characters.", nameof(title));
        }

        return SessionTitles.Normalize(title);
    }
}
