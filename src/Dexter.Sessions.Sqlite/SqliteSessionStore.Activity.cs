namespace Dexter.Sessions.Sqlite;

/// <content>Touching a session (activity without a change) and recording where a session was forked from.</content>
public sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    /// <remarks>One <c>UPDATE</c> of the session's row: its last activity and expiry, as every write sets them.</remarks>
    public Task<bool> TouchAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        return WriteAsync(sessionId, async (connection, now) =>
        {
            using var touch = Command(
                connection,
                $"""UPDATE {_schema.Sessions} SET "last_activity_at" = $now, "expires_at" = $expires WHERE "session_id" = $id AND "expires_at" > $now""",
                sessionId,
                now);
            touch.Parameters.AddWithValue("$expires", now + _ttlTicks);
            return await touch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> SetForkOriginAsync(string sessionId, string forkedFromSessionId, int forkedFromTurnId, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidForkOrigin(sessionId, forkedFromSessionId, forkedFromTurnId);
        cancellationToken.ThrowIfCancellationRequested();
        return WriteAsync(sessionId, async (connection, now) =>
        {
            using var update = Command(
                connection,
                $"""UPDATE {_schema.Sessions} SET "forked_from" = $source, "forked_from_turn" = $through WHERE "session_id" = $id AND "expires_at" > $now""",
                sessionId,
                now);
            update.Parameters.AddWithValue("$source", forkedFromSessionId);
            update.Parameters.AddWithValue("$through", forkedFromTurnId);
            return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }
}
