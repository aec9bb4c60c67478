namespace Dexter.Sessions;

/// <content>Rewind, fork and turn keys: each under the lock of the session it changes.</content>
public sealed partial class InMemorySessionStore
{
    /// <inheritdoc />
    public Task<RewindResult> RewindAsync(string sessionId, int throughTurnId, int? expectedLastTurnId = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidRewind(sessionId, throughTurnId, expectedLastTurnId);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null)
        {
            return Task.FromResult(RewindResult.NotFound);
        }

        lock (session)
        {
            if (session.Removed || IsExpired(session))
            {
                return Task.FromResult(RewindResult.NotFound);
            }

            var last = session.Turns.Count == 0 ? 0 : session.Turns[^1].Id;
            if (expectedLastTurnId is { } expected && expected != last)
            {
                return Task.FromResult(new RewindResult(RewindStatus.Conflict, last, 0));
            }

            var keep = session.Turns.FindLastIndex(t => t.Id <= throughTurnId) + 1;
            var removed = session.Turns.Count - keep;
            session.Turns.RemoveRange(keep, removed);
            session.LastId = Math.Min(session.LastId, throughTurnId);
            if (session.Summary?.ThroughTurnId > throughTurnId)
            {
                session.Summary = null;
            }

            foreach (var (key, turnId) in session.TurnKeys.ToArray())
            {
                if (turnId > throughTurnId)
                {
                    session.TurnKeys.Remove(key);
                }
            }

            session.LastActivityAt = _timeProvider.GetUtcNow();
            return Task.FromResult(new RewindResult(RewindStatus.Rewound, Math.Min(last, throughTurnId), removed));
        }
    }

    /// <inheritdoc />
    public Task<SessionMetadata?> ForkAsync(string sourceSessionId, int throughTurnId, string newSessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidFork(sourceSessionId, throughTurnId, newSessionId);
        cancellationToken.ThrowIfCancellationRequested();
        var source = Find(sourceSessionId);
        if (source is null)
        {
            return Task.FromResult<SessionMetadata?>(null);
        }

        Message[] turns;
        string? sourceOwner;
        string? title;
        SessionTitleSource titleSource;
        lock (source)
        {
            if (source.Removed || IsExpired(source))
            {
                return Task.FromResult<SessionMetadata?>(null);
            }

            var last = source.Turns.Count == 0 ? 0 : source.Turns[^1].Id;
            if (throughTurnId > last)
            {
                throw SessionStoreArguments.ForkBeyondLastTurn(sourceSessionId, throughTurnId, last);
            }

            turns = [.. source.Turns.Where(t => t.Id <= throughTurnId)];
            sourceOwner = source.Owner;
            title = source.Title;
            titleSource = source.TitleSource;
        }

        // Created the way CreateAsync creates a session; an existing session is left as it was.
        Write(newSessionId, owner ?? sourceOwner, session =>
        {
            if (!session.IsNew)
            {
                throw SessionStoreArguments.ForkTargetExists(newSessionId);
            }

            session.Turns.AddRange(turns);
            session.LastId = throughTurnId;
            session.ForkedFromSessionId = sourceSessionId;
            session.ForkedFromTurnId = throughTurnId;
            session.Title = title;
            session.TitleSource = titleSource;
        });
        if ((owner ?? sourceOwner) is { } newOwner)
        {
            IndexOwner(newSessionId, newOwner);
        }

        return GetMetadataAsync(newSessionId, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Message?> GetTurnByKeyAsync(string sessionId, string turnKey, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        TurnKey.ThrowIfInvalid(turnKey);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null)
        {
            return Task.FromResult<Message?>(null);
        }

        lock (session)
        {
            return Task.FromResult(session.Removed ? null : FindByKeyLocked(session, turnKey));
        }
    }

    // An append with a key the session holds records nothing and returns the turn recorded with it.
    private static Message AppendLocked(Session session, Message message)
    {
        if (message.TurnKey is { } key)
        {
            if (FindByKeyLocked(session, key) is { } existing)
            {
                return existing;
            }

            session.TurnKeys[key] = session.LastId + 1;
        }

        var recorded = message with { Id = ++session.LastId };
        session.Turns.Add(recorded with { TurnKey = null });
        return recorded;
    }

    private static Message? FindByKeyLocked(Session session, string turnKey)
    {
        if (!session.TurnKeys.TryGetValue(turnKey, out var turnId))
        {
            return null;
        }

        var index = IndexOf(session.Turns, turnId);
        return index < 0 ? null : session.Turns[index] with { TurnKey = turnKey };
    }
}
