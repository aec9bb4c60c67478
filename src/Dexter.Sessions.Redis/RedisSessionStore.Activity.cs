namespace Dexter.Sessions.Redis;

/// <content>Touching a session (activity without a change) and recording where a session was forked from.</content>
public sealed partial class RedisSessionStore
{
    /// <inheritdoc />
    /// <remarks>One script sets the session's activity and refreshes the expiry of its keys, as every write does; an owned session is raised in its owner's index.</remarks>
    public async Task<bool> TouchAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            var now = Now();
            return (long)await WriteAndIndexAsync(database, sessionId, now,
                database.ScriptEvaluateAsync(RedisScripts.Touch, Keys(sessionId), [now, _ttlMilliseconds])).ConfigureAwait(false) == 1;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }
    }

    /// <inheritdoc />
    public async Task<bool> SetForkOriginAsync(string sessionId, string forkedFromSessionId, int forkedFromTurnId, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidForkOrigin(sessionId, forkedFromSessionId, forkedFromTurnId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            return (long)await database.ScriptEvaluateAsync(RedisScripts.SetForkOrigin, Keys(sessionId), [forkedFromSessionId, forkedFromTurnId]).ConfigureAwait(false) == 1;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }
    }
}
