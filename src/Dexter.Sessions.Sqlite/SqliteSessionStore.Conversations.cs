using Dexter.Sessions.Shared;
using Microsoft.Data.Sqlite;

namespace Dexter.Sessions.Sqlite;

/// <summary>Listing an owner's sessions and titling sessions.</summary>
/// <remarks>
/// An owner's sessions are read through the index on (<c>owner</c>, <c>last_activity_at</c>, <c>session_id</c>), newest first; the
/// cursor is the last activity (UTC ticks) and id of the last session of a page, so the next page starts right after it in the index.
/// Expired sessions are skipped (and deleted by the cleanup); deleted ones are gone with their row.
/// </remarks>
public sealed partial class SqliteSessionStore
{
    private const string MetadataColumns = "\"session_id\", \"created_at\", \"last_activity_at\", \"turn_count\", \"owner\", \"title\", \"title_source\", \"forked_from\", \"forked_from_turn\"";

    /// <inheritdoc />
    public async Task<SessionListPage> ListSessionsAsync(string owner, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidList(owner, limit);
        var after = cursor is null ? ((long Position, string SessionId)?)null : SessionListCursor.Decode(cursor, nameof(cursor));
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var read = Command(
                connection,
                $"""
                SELECT {MetadataColumns} FROM {_schema.Sessions}
                WHERE "owner" = $owner AND "expires_at" > $now{(after is null ? string.Empty : """ AND ("last_activity_at", "session_id") < ($at, $after)""")}
                ORDER BY "last_activity_at" DESC, "session_id" DESC
                LIMIT $take
                """,
                sessionId: null,
                Now());
            read.Parameters.AddWithValue("$owner", owner);
            read.Parameters.AddWithValue("$take", limit + 1);
            if (after is { } position)
            {
                read.Parameters.AddWithValue("$at", position.Position);
                read.Parameters.AddWithValue("$after", position.SessionId);
            }

            var sessions = new List<SessionMetadata>(Math.Min(limit + 1, 64));
            using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                sessions.Add(ReadMetadata(reader));
            }

            if (sessions.Count <= limit)
            {
                return new SessionListPage(sessions, null);
            }

            sessions.RemoveAt(limit);
            var last = sessions[^1];
            return new SessionListPage(sessions, SessionListCursor.Encode(last.LastActivityAt.UtcTicks, last.SessionId));
        }
        catch (SqliteException e)
        {
            throw Translate(e, sessionId: null);
        }
    }

    /// <inheritdoc />
    /// <remarks>One <c>UPDATE</c> of the session's row that compares the title's source and stores, in the store's write transaction.</remarks>
    public Task<bool> SetTitleAsync(string sessionId, string title, SessionTitleSource source = SessionTitleSource.Owner, CancellationToken cancellationToken = default)
    {
        var stored = SessionStoreArguments.ThrowIfInvalidTitle(sessionId, title, source);
        cancellationToken.ThrowIfCancellationRequested();
        return WriteAsync(sessionId, async (connection, now) =>
        {
            using var update = Command(
                connection,
                $"""
                UPDATE {_schema.Sessions} SET "title" = $title, "title_source" = $source
                WHERE "session_id" = $id AND "expires_at" > $now AND ($source = {(int)SessionTitleSource.Owner} OR "title_source" < $source)
                """,
                sessionId,
                now);
            update.Parameters.AddWithValue("$title", stored);
            update.Parameters.AddWithValue("$source", (int)source);
            return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <summary>Reads a row selected with <see cref="MetadataColumns"/>.</summary>
    private static SessionMetadata ReadMetadata(SqliteDataReader reader) =>
        new(
            reader.GetString(0),
            new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero),
            new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero),
            reader.GetInt32(3),
            reader.IsDBNull(4) ? null : reader.GetString(4))
        {
            Title = reader.IsDBNull(5) ? null : reader.GetString(5),
            TitleSource = (SessionTitleSource)reader.GetInt32(6),
            ForkedFromSessionId = reader.IsDBNull(7) ? null : reader.GetString(7),
            ForkedFromTurnId = reader.IsDBNull(8) ? null : reader.GetInt32(8),
        };
}
