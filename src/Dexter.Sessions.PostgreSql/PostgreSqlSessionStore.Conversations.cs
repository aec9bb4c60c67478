using Dexter.Sessions.Shared;
using Npgsql;
using NpgsqlTypes;

namespace Dexter.Sessions.PostgreSql;

/// <summary>Listing an owner's sessions and titling sessions.</summary>
/// <remarks>
/// An owner's sessions are read through the partial index on (<c>owner</c>, <c>last_activity_at</c>, <c>session_id</c>), backwards;
/// the cursor is the last activity (UTC ticks, microsecond precision as PostgreSQL keeps it) and id of the last session of a page.
/// Expired sessions are skipped (and deleted by the cleanup service); deleted ones are gone with their row.
/// </remarks>
public sealed partial class PostgreSqlSessionStore
{
    /// <inheritdoc />
    public Task<SessionListPage> ListSessionsAsync(string owner, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidList(owner, limit);
        var after = cursor is null ? ((long Position, string SessionId)?)null : SessionListCursor.Decode(cursor, nameof(cursor));
        return RunAsync(sessionId: null, async (connection, now, token) =>
        {
            var command = new NpgsqlCommand(after is null ? _schema.ListSessions : _schema.ListSessionsAfter, connection);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit + 1 });
            if (after is { } position)
            {
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = new DateTimeOffset(position.Position, TimeSpan.Zero) });
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = position.SessionId, NpgsqlDbType = NpgsqlDbType.Text });
            }

            var sessions = new List<SessionMetadata>(Math.Min(limit + 1, 64));
            var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    sessions.Add(ReadMetadata(reader));
                }
            }

            if (sessions.Count <= limit)
            {
                return new SessionListPage(sessions, null);
            }

            sessions.RemoveAt(limit);
            var last = sessions[^1];
            return new SessionListPage(sessions, SessionListCursor.Encode(last.LastActivityAt.UtcTicks, last.SessionId));
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One <c>UPDATE</c> of the session's row that compares the title's source and stores.</remarks>
    public Task<bool> SetTitleAsync(string sessionId, string title, SessionTitleSource source = SessionTitleSource.Owner, CancellationToken cancellationToken = default)
    {
        var stored = SessionStoreArguments.ThrowIfInvalidTitle(sessionId, title, source);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.SetTitle, sessionId, now);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stored, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)source });
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <summary>Reads a row selected with <see cref="PostgreSqlSchema.MetadataColumns"/>.</summary>
    private static SessionMetadata ReadMetadata(NpgsqlDataReader reader) =>
        new(
            reader.GetString(0),
            reader.GetFieldValue<DateTimeOffset>(1),
            reader.GetFieldValue<DateTimeOffset>(2),
            reader.GetInt32(3),
            reader.IsDBNull(4) ? null : reader.GetString(4))
        {
            Title = reader.IsDBNull(5) ? null : reader.GetString(5),
            TitleSource = (SessionTitleSource)reader.GetInt32(6),
            ForkedFromSessionId = reader.IsDBNull(7) ? null : reader.GetString(7),
            ForkedFromTurnId = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        };
}
