namespace Dexter.Sessions;

public sealed partial class InMemorySessionStore
{
    /// <inheritdoc />
    public Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnSummary(sessionId, turnId, summary);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null)
        {
            return Task.FromResult(false);
        }

        lock (session)
        {
            // Checked again under the lock: the session may have been deleted, or have expired, since it was found.
            var index = session.Removed || IsExpired(session) ? -1 : IndexOf(session.Turns, turnId);
            if (index < 0)
            {
                return Task.FromResult(false);
            }

            session.Turns[index] = session.Turns[index] with { Summary = summary };
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<int> UpdateTurnsAsync(string sessionId, IReadOnlyCollection<int> turnIds, Func<Message, Message> update, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnUpdate(sessionId, turnIds, update);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null || turnIds.Count == 0)
        {
            return Task.FromResult(0);
        }

        lock (session)
        {
            // Checked again under the lock: the session may have been deleted, or have expired, since it was found.
            if (session.Removed || IsExpired(session))
            {
                return Task.FromResult(0);
            }

            var updated = 0;
            foreach (var turnId in turnIds.Distinct())
            {
                var index = IndexOf(session.Turns, turnId);
                if (index >= 0)
                {
                    session.Turns[index] = SessionStoreArguments.ThrowIfTurnIdChanged(turnId, update(session.Turns[index]));
                    updated++;
                }
            }

            return Task.FromResult(updated);
        }
    }

    /// <inheritdoc />
    public Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null)
        {
            return Task.FromResult<SessionSummary?>(null);
        }

        lock (session)
        {
            return Task.FromResult(session.Removed ? null : session.Summary);
        }
    }

    /// <inheritdoc />
    public Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidSummary(sessionId, summary, expectedThroughTurnId);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null || summary.ThroughTurnId <= expectedThroughTurnId)
        {
            return Task.FromResult(false);
        }

        lock (session)
        {
            // Checked again under the lock: the session may have been deleted, or have expired, since it was found.
            if (session.Removed || IsExpired(session) || (session.Summary?.ThroughTurnId ?? 0) != expectedThroughTurnId)
            {
                return Task.FromResult(false);
            }

            session.Summary = summary;
            session.LastActivityAt = _timeProvider.GetUtcNow();
            return Task.FromResult(true);
        }
    }
}
