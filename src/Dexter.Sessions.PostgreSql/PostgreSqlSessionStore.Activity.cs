using Npgsql;
using NpgsqlTypes;

namespace Dexter.Sessions.PostgreSql;

/// <content>Touching a session (activity without a change) and recording where a session was forked from.</content>
public sealed partial class PostgreSqlSessionStore
{
    /// <inheritdoc />
    /// <remarks>One <c>UPDATE</c> of the session's row: its last activity and expiry, as every write sets them.</remarks>
    public Task<bool> TouchAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.Touch, sessionId, now, now + _ttl);
            await using var commandScope = command.ConfigureAwait(false);
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> SetForkOriginAsync(string sessionId, string forkedFromSessionId, int forkedFromTurnId, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidForkOrigin(sessionId, forkedFromSessionId, forkedFromTurnId);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.SetForkOrigin, sessionId, now);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = forkedFromSessionId, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = forkedFromTurnId });
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }
}
