using StackExchange.Redis;

namespace Dexter.Sessions.Redis;

public sealed partial class RedisSessionStore : ISessionAuditStore
{
    /// <inheritdoc />
    /// <remarks>
    /// The trail is the list <c>{prefix}{sessionId}:audit</c> (same hash tag as the session, so it works on Redis Cluster), apart
    /// from the session's keys: deleting the session keeps it. Each append pushes the event and sets the list to expire
    /// <paramref name="retention"/> later, in one transaction.
    /// </remarks>
    public async Task AppendAuditEventAsync(SessionAuditEvent auditEvent, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var sessionId = auditEvent.SessionId;
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            var transaction = database.CreateTransaction();
            var key = AuditKey(sessionId);
            _ = transaction.ListRightPushAsync(key, SessionAuditJson.Serialize(auditEvent));
            _ = transaction.KeyExpireAsync(key, retention);
            await transaction.ExecuteAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionAuditEvent>> GetAuditEventsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] records;
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            records = await database.ListRangeAsync(AuditKey(sessionId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        return [.. records.Select(static r => SessionAuditJson.Deserialize((byte[])r!))];
    }

    private RedisKey AuditKey(string sessionId) => _keyPrefix + sessionId + "}:audit";
}
