using StackExchange.Redis;

namespace Dexter.Sessions.Redis;

public sealed partial class RedisSessionStore
{
    private static readonly RedisValue[] SummaryFields = ["summary", "summary_through", "summary_at", "summary_offset"];

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
        SummaryArguments.ThrowIfInvalid(sessionId, summary, expectedThroughTurnId);
        cancellationToken.ThrowIfCancellationRequested();
        if (summary.ThroughTurnId <= expectedThroughTurnId)
        {
            return false;
        }

        RedisValue[] values =
        [
            Now(),
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
            return (long)await database.ScriptEvaluateAsync(RedisScripts.SetSummaryIfUnchanged, Keys(sessionId), values).ConfigureAwait(false) == 1;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }
    }
}
