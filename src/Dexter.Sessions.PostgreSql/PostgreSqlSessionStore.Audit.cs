using Npgsql;
using NpgsqlTypes;

namespace Dexter.Sessions.PostgreSql;

public sealed partial class PostgreSqlSessionStore : ISessionAuditStore
{
    private volatile bool _auditTableReady;

    private string AuditTable => _schema.Schema + ".\"" + _schema.TablePrefix + "audit\"";

    /// <inheritdoc />
    /// <remarks>
    /// Events are rows of the table <c>{prefix}audit</c> (created on first use, apart from the versioned schema), apart from the
    /// session's rows: deleting the session keeps them. Rows past their retention are deleted by later appends.
    /// </remarks>
    public Task AppendAuditEventAsync(SessionAuditEvent auditEvent, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        var sessionId = auditEvent.SessionId;
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        var record = System.Text.Encoding.UTF8.GetString(SessionAuditJson.Serialize(auditEvent));
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            await EnsureAuditTableAsync(connection, token).ConfigureAwait(false);
            using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand($"DELETE FROM {AuditTable} WHERE expires_at <= @now") { Parameters = { new("now", NpgsqlDbType.TimestampTz) { Value = now } } },
                    new NpgsqlBatchCommand($"INSERT INTO {AuditTable} (session_id, at, expires_at, record) VALUES (@id, @now, @expires, @record::jsonb)")
                    {
                        Parameters =
                        {
                            new("id", sessionId), new("now", NpgsqlDbType.TimestampTz) { Value = now },
                            new("expires", NpgsqlDbType.TimestampTz) { Value = now + retention }, new("record", record),
                        },
                    },
                    new NpgsqlBatchCommand($"UPDATE {AuditTable} SET expires_at = @expires WHERE session_id = @id")
                    {
                        Parameters = { new("id", sessionId), new("expires", NpgsqlDbType.TimestampTz) { Value = now + retention } },
                    },
                },
            };
            await batch.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionAuditEvent>> GetAuditEventsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return RunAsync<IReadOnlyList<SessionAuditEvent>>(sessionId, async (connection, now, token) =>
        {
            await EnsureAuditTableAsync(connection, token).ConfigureAwait(false);
            using var read = new NpgsqlCommand($"SELECT record::text FROM {AuditTable} WHERE session_id = @id AND expires_at > @now ORDER BY seq", connection)
            {
                Parameters = { new("id", sessionId), new("now", NpgsqlDbType.TimestampTz) { Value = now } },
            };
            using var reader = await read.ExecuteReaderAsync(token).ConfigureAwait(false);
            var events = new List<SessionAuditEvent>();
            while (await reader.ReadAsync(token).ConfigureAwait(false))
            {
                events.Add(SessionAuditJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(reader.GetString(0))));
            }

            return events;
        }, cancellationToken);
    }

    private async Task EnsureAuditTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_auditTableReady)
        {
            return;
        }

        using var create = new NpgsqlCommand(
            $"""
            CREATE TABLE IF NOT EXISTS {AuditTable} (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                session_id text NOT NULL,
                at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                record jsonb NOT NULL
            );
            CREATE INDEX IF NOT EXISTS "{_schema.TablePrefix}audit_session" ON {AuditTable} (session_id, seq);
            CREATE INDEX IF NOT EXISTS "{_schema.TablePrefix}audit_expires_at" ON {AuditTable} (expires_at);
            """,
            connection);
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _auditTableReady = true;
    }
}
