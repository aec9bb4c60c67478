namespace Dexter.Sessions;

/// <content>Touching a session (activity without a change) and recording where a session was forked from.</content>
public sealed partial class InMemorySessionStore
{
    /// <inheritdoc />
    public Task<bool> TouchAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(WriteExisting(sessionId, activity: true, static _ => { }));
    }

    /// <inheritdoc />
    public Task<bool> SetForkOriginAsync(string sessionId, string forkedFromSessionId, int forkedFromTurnId, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidForkOrigin(sessionId, forkedFromSessionId, forkedFromTurnId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(WriteExisting(sessionId, activity: false, session =>
        {
            session.ForkedFromSessionId = forkedFromSessionId;
            session.ForkedFromTurnId = forkedFromTurnId;
        }));
    }

    /// <summary>
    /// Changes a session that exists, under its lock; with <paramref name="activity"/>, the change counts as activity (the expiry
    /// and last activity are refreshed). Returns whether the session existed.
    /// </summary>
    private bool WriteExisting(string sessionId, bool activity, Action<Session> write)
    {
        var session = Find(sessionId);
        if (session is null)
        {
            return false;
        }

        lock (session)
        {
            // Checked again under the lock: the session may have been deleted, or have expired, since it was found.
            if (session.Removed || IsExpired(session))
            {
                return false;
            }

            write(session);
            if (activity)
            {
                session.LastActivityAt = _timeProvider.GetUtcNow();
            }

            return true;
        }
    }
}
