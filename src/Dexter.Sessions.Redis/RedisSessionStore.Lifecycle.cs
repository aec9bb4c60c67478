using StackExchange.Redis;

namespace Dexter.Sessions.Redis;

/// <content>
/// Rewind, fork and turn keys. A rewind and a keyed append are one Lua script each, so atomic against every other write of the
/// session. A fork reads the source in one script and creates the new session in another (on Redis Cluster the two sessions
/// live in different slots): the copy is of one consistent state of the source, and the new session appears whole or not at all.
/// </content>
public sealed partial class RedisSessionStore
{
    /// <inheritdoc />
    public async Task<RewindResult> RewindAsync(string sessionId, int throughTurnId, int? expectedLastTurnId = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidRewind(sessionId, throughTurnId, expectedLastTurnId);
        cancellationToken.ThrowIfCancellationRequested();
        RedisResult[] result;
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            var now = Now();
            result = (RedisResult[])(await database.ScriptEvaluateAsync(
                RedisScripts.Rewind,
                Keys(sessionId),
                [now, _ttlMilliseconds, throughTurnId, expectedLastTurnId is { } expected ? expected : RedisValue.EmptyString]).ConfigureAwait(false))!;
            if (result.Length == 4 && !result[3].IsNull)
            {
                // A rewind is a write: raise the session in its owner's index, as an append does.
                await IndexAsync(database, (string)result[3]!, sessionId, now).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        return (int)result[0] switch
        {
            -1 => RewindResult.NotFound,
            0 => new RewindResult(RewindStatus.Conflict, (int)result[1], 0),
            _ => new RewindResult(RewindStatus.Rewound, (int)result[1], (int)result[2]),
        };
    }

    /// <inheritdoc />
    public async Task<SessionMetadata?> ForkAsync(
        string sourceSessionId, int throughTurnId, string newSessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidFork(sourceSessionId, throughTurnId, newSessionId);
        cancellationToken.ThrowIfCancellationRequested();
        long created;
        string? newOwner;
        long now;
        try
        {
            var database = await GetDatabaseAsync(sourceSessionId).ConfigureAwait(false);
            var read = await database.ScriptEvaluateAsync(RedisScripts.ForkRead, Keys(sourceSessionId), [throughTurnId]).ConfigureAwait(false);
            if (read.IsNull)
            {
                return null;
            }

            var source = (RedisValue[])read!;
            var last = (int)source[1];
            if (throughTurnId > last)
            {
                throw SessionStoreArguments.ForkBeyondLastTurn(sourceSessionId, throughTurnId, last);
            }

            now = Now();
            newOwner = owner ?? (((string?)source[0]) is { Length: > 0 } sourceOwner ? sourceOwner : null);
            var values = new RedisValue[7 + source.Length - 4];
            values[0] = now;
            values[1] = _ttlMilliseconds;
            values[2] = newOwner ?? RedisValue.EmptyString;
            values[3] = throughTurnId;
            values[4] = sourceSessionId;
            values[5] = source[2];
            values[6] = source[3];
            Array.Copy(source, 4, values, 7, source.Length - 4);
            var newDatabase = await GetDatabaseAsync(newSessionId).ConfigureAwait(false);
            created = (long)await newDatabase.ScriptEvaluateAsync(RedisScripts.ForkCreate, Keys(newSessionId), values).ConfigureAwait(false);
            if (created == 1 && newOwner is not null)
            {
                // As CreateAsync does: the fork is listed with its owner's sessions.
                await IndexAsync(newDatabase, newOwner, newSessionId, now).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, newSessionId);
        }

        if (created == 0)
        {
            throw SessionStoreArguments.ForkTargetExists(newSessionId);
        }

        return await GetMetadataAsync(newSessionId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Message?> GetTurnByKeyAsync(string sessionId, string turnKey, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        TurnKey.ThrowIfInvalid(turnKey);
        cancellationToken.ThrowIfCancellationRequested();
        RedisResult result;
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            result = await database.ScriptEvaluateAsync(RedisScripts.TurnByKey, Keys(sessionId), [Now(), turnKey]).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        return result.IsNull ? null : Deserialize(sessionId, (RedisValue)result) with { TurnKey = turnKey };
    }

    private async Task<Message?> AppendKeyedAsync(string sessionId, Message message, byte[] record, bool mustExist, CancellationToken cancellationToken)
    {
        RedisResult result;
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            var now = Now();
            result = await database.ScriptEvaluateAsync(
                RedisScripts.AppendKeyed, Keys(sessionId), [now, _ttlMilliseconds, record, mustExist ? 1 : 0, message.TurnKey]).ConfigureAwait(false);
            if (result.Length == 2 && !result[1].IsNull)
            {
                // An owned session: raise it in its owner's index (another hash slot, so another command).
                await IndexAsync(database, (string)result[1]!, sessionId, now).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        var reply = (RedisResult[])result!;
        if (reply.Length == 3)
        {
            return Deserialize(sessionId, (RedisValue)reply[2]) with { TurnKey = message.TurnKey };
        }

        var id = (int)reply[0];
        if (id == 0)
        {
            return null;
        }

        Log.TurnAppended(_logger, id, sessionId);
        return message with { Id = id };
    }
}
