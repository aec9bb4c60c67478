using System.Text;
using Microsoft.Data.Sqlite;

namespace Dexter.Sessions.Sqlite;

public sealed partial class SqliteSessionStore : ISessionAuditStore
{
    private volatile bool _auditTableReady;

    private string AuditTable => "\"" + TablePrefix + "audit\"";

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
        cancellationToken.ThrowIfCancellationRequested();
        var record = Encoding.UTF8.GetString(SessionAuditJson.Serialize(auditEvent));
        return WriteAsync(sessionId, async (connection, now) =>
        {
            await EnsureAuditTableAsync(connection, cancellationToken).ConfigureAwait(false);
            using var insert = Command(
                connection,
                $"""
                DELETE FROM {AuditTable} WHERE "expires_at" <= $now;
                INSERT INTO {AuditTable} ("session_id", "at", "expires_at", "record") VALUES ($id, $now, $expires, $record);
                UPDATE {AuditTable} SET "expires_at" = $expires WHERE "session_id" = $id;
                """,
                sessionId,
                now);
            insert.Parameters.AddWithValue("$expires", now + retention.Ticks);
            insert.Parameters.AddWithValue("$record", record);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SessionAuditEvent>> GetAuditEventsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await EnsureAuditTableAsync(connection, cancellationToken).ConfigureAwait(false);
            using var read = Command(
                connection,
                $"""SELECT "record" FROM {AuditTable} WHERE "session_id" = $id AND "expires_at" > $now ORDER BY "seq";""",
                sessionId,
                Now());
            using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var events = new List<SessionAuditEvent>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                events.Add(SessionAuditJson.Deserialize(Encoding.UTF8.GetBytes(reader.GetString(0))));
            }

            return events;
        }
        catch (SqliteException e)
        {
            throw Translate(e, sessionId);
        }
    }

    private async Task EnsureAuditTableAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        if (_auditTableReady)
        {
            return;
        }

        using var create = connection.CreateCommand();
        create.CommandText = $"""
            CREATE TABLE IF NOT EXISTS {AuditTable} (
                "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                "session_id" TEXT NOT NULL,
                "at" INTEGER NOT NULL,
                "expires_at" INTEGER NOT NULL,
                "record" TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS "{TablePrefix}audit_session" ON {AuditTable} ("session_id", "seq");
            CREATE INDEX IF NOT EXISTS "{TablePrefix}audit_expires_at" ON {AuditTable} ("expires_at");
            """;
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        _auditTableReady = true;
    }
}
