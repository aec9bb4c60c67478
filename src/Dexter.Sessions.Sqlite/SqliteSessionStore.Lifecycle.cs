using Microsoft.Data.Sqlite;

namespace Dexter.Sessions.Sqlite;

/// <content>Rewind, fork and turn keys: each one transaction (BEGIN IMMEDIATE), so no other writer sees it half done.</content>
public sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    public Task<RewindResult> RewindAsync(string sessionId, int throughTurnId, int? expectedLastTurnId = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidRewind(sessionId, throughTurnId, expectedLastTurnId);
        cancellationToken.ThrowIfCancellationRequested();
        return WriteAsync(sessionId, async (connection, now) =>
        {
            long last;
            using (var read = Command(connection, $"""SELECT "last_id" FROM {_schema.Sessions} WHERE "session_id" = $id AND "expires_at" > $now""", sessionId, now))
            {
                if (await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long lastId)
                {
                    return RewindResult.NotFound;
                }

                last = lastId;
            }

            if (expectedLastTurnId is { } expected && expected != last)
            {
                return new RewindResult(RewindStatus.Conflict, (int)last, 0);
            }

            // Turn keys live on the turn rows and go with them; a rolling summary that covered a removed turn is dropped.
            int removed;
            using (var delete = Command(connection, $"""DELETE FROM {_schema.Turns} WHERE "session_id" = $id AND "turn_id" > $through""", sessionId, now))
            {
                delete.Parameters.AddWithValue("$through", throughTurnId);
                removed = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using var update = Command(
                connection,
                $"""
                UPDATE {_schema.Sessions} SET
                    "last_id" = min("last_id", $through), "turn_count" = "turn_count" - $removed,
                    "last_activity_at" = $now, "expires_at" = $expires,
                    "summary" = CASE WHEN "summary_through" > $through THEN NULL ELSE "summary" END,
                    "summary_updated_at" = CASE WHEN "summary_through" > $through THEN NULL ELSE "summary_updated_at" END,
                    "summary_updated_offset" = CASE WHEN "summary_through" > $through THEN NULL ELSE "summary_updated_offset" END,
                    "summary_through" = CASE WHEN "summary_through" > $through THEN 0 ELSE "summary_through" END
                WHERE "session_id" = $id
                """,
                sessionId,
                now);
            update.Parameters.AddWithValue("$through", throughTurnId);
            update.Parameters.AddWithValue("$removed", removed);
            update.Parameters.AddWithValue("$expires", now + _ttlTicks);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new RewindResult(RewindStatus.Rewound, (int)Math.Min(last, throughTurnId), removed);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SessionMetadata?> ForkAsync(
        string sourceSessionId, int throughTurnId, string newSessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidFork(sourceSessionId, throughTurnId, newSessionId);
        cancellationToken.ThrowIfCancellationRequested();
        return WriteAsync<SessionMetadata?>(newSessionId, async (connection, now) =>
        {
            string? sourceOwner;
            long last;
            using (var read = Command(
                connection,
                $"""SELECT "owner", "last_id" FROM {_schema.Sessions} WHERE "session_id" = $id AND "expires_at" > $now""",
                sourceSessionId,
                now))
            using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                sourceOwner = reader.IsDBNull(0) ? null : reader.GetString(0);
                last = reader.GetInt64(1);
            }

            if (throughTurnId > last)
            {
                throw SessionStoreArguments.ForkBeyondLastTurn(sourceSessionId, throughTurnId, (int)last);
            }

            // Leaving here by an exception rolls the transaction back: nothing of the fork stays.
            if (!await CreateSessionAsync(connection, newSessionId, owner ?? sourceOwner, now, cancellationToken).ConfigureAwait(false))
            {
                throw SessionStoreArguments.ForkTargetExists(newSessionId);
            }

            using var copy = Command(
                connection,
                $"""
                INSERT INTO {_schema.Turns} ("session_id", "seq", "turn_id", "record", "embedding")
                SELECT $id, "seq", "turn_id", "record", "embedding" FROM {_schema.Turns} WHERE "session_id" = $source AND "turn_id" <= $through;
                UPDATE {_schema.Sessions} SET
                    "turn_count" = changes(), "last_id" = $through,
                    "last_seq" = coalesce((SELECT max("seq") FROM {_schema.Turns} WHERE "session_id" = $id), 0),
                    "forked_from" = $source, "forked_from_turn" = $through,
                    "title" = (SELECT "title" FROM {_schema.Sessions} WHERE "session_id" = $source),
                    "title_source" = coalesce((SELECT "title_source" FROM {_schema.Sessions} WHERE "session_id" = $source), 0)
                WHERE "session_id" = $id
                RETURNING "created_at", "last_activity_at", "turn_count", "owner", "title", "title_source";
                """,
                newSessionId,
                now);
            copy.Parameters.AddWithValue("$source", sourceSessionId);
            copy.Parameters.AddWithValue("$through", throughTurnId);
            using var created = await copy.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await created.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new SessionMetadata(
                newSessionId,
                new DateTimeOffset(created.GetInt64(0), TimeSpan.Zero),
                new DateTimeOffset(created.GetInt64(1), TimeSpan.Zero),
                created.GetInt32(2),
                created.IsDBNull(3) ? null : created.GetString(3))
            {
                Title = created.IsDBNull(4) ? null : created.GetString(4),
                TitleSource = (SessionTitleSource)created.GetInt32(5),
                ForkedFromSessionId = sourceSessionId,
                ForkedFromTurnId = throughTurnId,
            };
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Message?> GetTurnByKeyAsync(string sessionId, string turnKey, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        TurnKey.ThrowIfInvalid(turnKey);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await FindByKeyAsync(connection, sessionId, turnKey, Now(), cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw Translate(e, sessionId);
        }
    }

    private async Task<Message?> FindByKeyAsync(SqliteConnection connection, string sessionId, string turnKey, long now, CancellationToken cancellationToken)
    {
        using var read = Command(
            connection,
            $"""
            SELECT "record", "embedding" FROM {_schema.Turns}
            WHERE "session_id" = $id AND "turn_key" = $key
              AND EXISTS (SELECT 1 FROM {_schema.Sessions} WHERE "session_id" = $id AND "expires_at" > $now)
            """,
            sessionId,
            now);
        read.Parameters.AddWithValue("$key", turnKey);
        var turns = await ReadTurnsAsync(read, sessionId, reverse: false, cancellationToken).ConfigureAwait(false);
        return turns.Count == 0 ? null : turns[0] with { TurnKey = turnKey };
    }
}
