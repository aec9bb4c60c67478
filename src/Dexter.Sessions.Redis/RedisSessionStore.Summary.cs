using StackExchange.Redis;

namespace Dexter.Sessions.Redis;

public sealed partial class RedisSessionStore
{
    private static readonly RedisValue[] SummaryFields = ["summary", "summary_through", "summary_at", "summary_offset"];

    /// <inheritdoc />
    /// <remarks>
    /// Reads the turn's record, then replaces it with one Lua script only if it is still the record read, so a concurrent
    /// embedding update or <see cref="SetAsync"/> is never overwritten; a record replaced meanwhile is read again, a few times at
    /// most. Appends only push new records, so they never collide with it.
    /// </remarks>
    public async Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnSummary(sessionId, turnId, summary);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            var keys = Keys(sessionId);
            for (var attempt = 0; attempt < MaxEmbeddingAttempts; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var found = await FindRecordsAsync(database, keys, sessionId, [turnId]).ConfigureAwait(false);
                if (found.Count == 0)
                {
                    return false;
                }

                var (index, _, current, turn) = found[0];
                RedisValue[] values = [index, current, Serialize(turn with { Summary = summary }, turnId)];
                var result = (long)await database.ScriptEvaluateAsync(RedisScripts.ReplaceOneIfUnchanged, keys, values).ConfigureAwait(false);
                if (result != 0)
                {
                    return result == 1;
                }

                Log.TurnSummaryUpdateRetried(_logger, turnId, sessionId);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        throw new SessionStoreException(
            $"The summary of turn {turnId} of session '{sessionId}' could not be stored: the turn kept changing during {MaxEmbeddingAttempts} attempts. Try again.",
            sessionId,
            innerException: null);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Reads the turns' records, then replaces them with one Lua script, each only if it is still the record read; a record
    /// replaced meanwhile is read and updated again, a few times at most.
    /// </remarks>
    public async Task<int> UpdateTurnsAsync(string sessionId, IReadOnlyCollection<int> turnIds, Func<Message, Message> update, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnUpdate(sessionId, turnIds, update);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = turnIds.ToHashSet();
        var updated = 0;
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            var keys = Keys(sessionId);
            for (var attempt = 0; attempt < MaxEmbeddingAttempts && pending.Count > 0; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var found = await FindRecordsAsync(database, keys, sessionId, pending).ConfigureAwait(false);
                pending.IntersectWith(found.Select(f => f.Id));
                if (found.Count == 0)
                {
                    return updated;
                }

                var values = new List<RedisValue>(found.Count * 3);
                foreach (var (index, id, current, turn) in found)
                {
                    values.Add(index);
                    values.Add(current);
                    values.Add(Serialize(SessionStoreArguments.ThrowIfTurnIdChanged(id, update(turn)), id));
                }

                var result = await database.ScriptEvaluateAsync(RedisScripts.ReplaceEachIfUnchanged, keys, [.. values]).ConfigureAwait(false);
                if (result.IsNull)
                {
                    return updated;
                }

                var replaced = (long[])result!;
                for (var i = 0; i < found.Count; i++)
                {
                    if (replaced[i] == 1)
                    {
                        pending.Remove(found[i].Id);
                        updated++;
                    }
                }

                if (pending.Count > 0)
                {
                    Log.TurnUpdateRetried(_logger, pending.Count, sessionId);
                }
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        if (pending.Count == 0)
        {
            return updated;
        }

        throw new SessionStoreException(
            $"The turns of session '{sessionId}' could not be updated: they kept changing during {MaxEmbeddingAttempts} attempts. Try again.",
            sessionId,
            innerException: null);
    }

    /// <inheritdoc />
    /// <remarks>One <c>HMGET</c> of the session's meta hash.</remarks>
    public async Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] fields;
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            fields = await database.HashGetAsync(MetaKey(sessionId), SummaryFields).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        if (fields[0].IsNull)
        {
            return null;
        }

        if (!fields[1].TryParse(out int throughTurnId) || throughTurnId < 1 || !TryReadTime(fields[2], out var updatedAt) ||
            !fields[3].TryParse(out int offsetMinutes) || Math.Abs(offsetMinutes) > 14 * 60)
        {
            throw Corrupt(sessionId, "its metadata hash does not hold a valid 'summary_through', 'summary_at' and 'summary_offset' beside its summary", cause: null);
        }

        return new SessionSummary((string)fields[0]!, throughTurnId, updatedAt.ToOffset(TimeSpan.FromMinutes(offsetMinutes)));
    }

    /// <inheritdoc />
    /// <remarks>One Lua script, one round trip: it compares, stores the summary in the session's meta hash and refreshes the expiry of both keys.</remarks>
    public async Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidSummary(sessionId, summary, expectedThroughTurnId);
        cancellationToken.ThrowIfCancellationRequested();
        if (summary.ThroughTurnId <= expectedThroughTurnId)
        {
            return false;
        }

        var now = Now();
        RedisValue[] values =
        [
            now,
            _ttlMilliseconds,
            expectedThroughTurnId,
            summary.ThroughTurnId,
            summary.Text,
            summary.UpdatedAt.UtcTicks,
            (long)summary.UpdatedAt.Offset.TotalMinutes,
        ];
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            return (long)await WriteAndIndexAsync(database, sessionId, now, database.ScriptEvaluateAsync(RedisScripts.SetSummaryIfUnchanged, Keys(sessionId), values)).ConfigureAwait(false) == 1;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }
    }
}
