using System.Text;
using Microsoft.Data.Sqlite;

namespace Dexter.Sessions.Sqlite;

public sealed partial class SqliteSessionStore
{
    /// <inheritdoc />
    /// <remarks>Reads the turn's record and writes it back with the new summary in the store's write transaction, so no other write comes between.</remarks>
    public Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnSummary(sessionId, turnId, summary);
        cancellationToken.ThrowIfCancellationRequested();
        return WriteAsync(sessionId, async (connection, now) =>
        {
            byte[] record;
            using (var read = Command(
                connection,
                $"""
                SELECT "record" FROM {_schema.Turns}
                WHERE "session_id" = $id AND "turn_id" = $turnId AND EXISTS (SELECT 1 FROM {_schema.Sessions} WHERE "session_id" = $id AND "expires_at" > $now)
                """,
                sessionId,
                now))
            {
                read.Parameters.AddWithValue("$turnId", turnId);
                using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                record = reader.GetFieldValue<byte[]>(0);
            }

            if (!TurnRecordSerializer.TryDeserialize(record, out var turn, out var problem))
            {
                throw CorruptRecord(sessionId, record, problem);
            }

            using var update = Command(
                connection,
                $"""UPDATE {_schema.Turns} SET "record" = $record WHERE "session_id" = $id AND "turn_id" = $turnId""",
                sessionId,
                now);
            update.Parameters.AddWithValue("$turnId", turnId);
            update.Parameters.AddWithValue("$record", Encoding.UTF8.GetString(SerializeWithoutEmbedding(turn with { Summary = summary }, turnId)));
            return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Reads the turns and writes them back, updated, in the store's write transaction, so no other write comes between.</remarks>
    public Task<int> UpdateTurnsAsync(string sessionId, IReadOnlyCollection<int> turnIds, Func<Message, Message> update, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnUpdate(sessionId, turnIds, update);
        cancellationToken.ThrowIfCancellationRequested();
        if (turnIds.Count == 0)
        {
            return Task.FromResult(0);
        }

        return WriteAsync(sessionId, async (connection, now) =>
        {
            using var read = Command(
                connection,
                $"""
                SELECT "record", "embedding" FROM {_schema.Turns}
                WHERE "session_id" = $id AND "turn_id" = $turnId AND EXISTS (SELECT 1 FROM {_schema.Sessions} WHERE "session_id" = $id AND "expires_at" > $now)
                """,
                sessionId,
                now);
            var readTurnId = read.Parameters.Add("$turnId", SqliteType.Integer);
            using var write = Command(
                connection,
                $"""UPDATE {_schema.Turns} SET "record" = $record, "embedding" = $embedding WHERE "session_id" = $id AND "turn_id" = $turnId""",
                sessionId,
                now);
            var writeTurnId = write.Parameters.Add("$turnId", SqliteType.Integer);
            var record = write.Parameters.Add("$record", SqliteType.Text);
            var embedding = write.Parameters.Add("$embedding", SqliteType.Blob);
            var updated = 0;
            foreach (var turnId in turnIds.Distinct())
            {
                readTurnId.Value = turnId;
                var turns = await ReadTurnsAsync(read, sessionId, reverse: false, cancellationToken).ConfigureAwait(false);
                if (turns.Count == 0)
                {
                    continue;
                }

                var replacement = SessionStoreArguments.ThrowIfTurnIdChanged(turnId, update(turns[0]));
                writeTurnId.Value = turnId;
                record.Value = Encoding.UTF8.GetString(SerializeWithoutEmbedding(replacement, turnId));
                embedding.Value = (object?)EncodeEmbedding(replacement) ?? DBNull.Value;
                updated += await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return updated;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var read = Command(
                connection,
                $"""
                SELECT "summary", "summary_through", "summary_updated_at", "summary_updated_offset" FROM {_schema.Sessions}
                WHERE "session_id" = $id AND "expires_at" > $now AND "summary_through" > 0
                """,
                sessionId,
                Now());
            using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            if (reader.IsDBNull(0) || reader.IsDBNull(2) || reader.IsDBNull(3) || reader.GetInt64(2) < 0 || reader.GetInt64(2) > DateTime.MaxValue.Ticks ||
                reader.GetInt64(3) is < -14 * 60 or > 14 * 60)
            {
                throw Corrupt(sessionId, "its row does not hold a valid summary time and offset beside its summary");
            }

            var updatedAt = new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(reader.GetInt32(3)));
            return new SessionSummary(reader.GetString(0), reader.GetInt32(1), updatedAt);
        }
        catch (SqliteException e)
        {
            throw Translate(e, sessionId);
        }
    }

    /// <inheritdoc />
    /// <remarks>One <c>UPDATE</c> of the session's row that compares and stores, in the store's write transaction.</remarks>
    public async Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidSummary(sessionId, summary, expectedThroughTurnId);
        cancellationToken.ThrowIfCancellationRequested();
        if (summary.ThroughTurnId <= expectedThroughTurnId)
        {
            return false;
        }

        return await WriteAsync(sessionId, async (connection, now) =>
        {
            using var update = Command(
                connection,
                $"""
                UPDATE {_schema.Sessions} SET
                    "summary" = $summary, "summary_through" = $through, "summary_updated_at" = $updatedAt, "summary_updated_offset" = $offset,
                    "last_activity_at" = $now, "expires_at" = $expires
                WHERE "session_id" = $id AND "expires_at" > $now AND "summary_through" = $expected
                """,
                sessionId,
                now);
            update.Parameters.AddWithValue("$summary", summary.Text);
            update.Parameters.AddWithValue("$through", summary.ThroughTurnId);
            update.Parameters.AddWithValue("$updatedAt", summary.UpdatedAt.UtcTicks);
            update.Parameters.AddWithValue("$offset", (int)summary.UpdatedAt.Offset.TotalMinutes);
            update.Parameters.AddWithValue("$expires", now + _ttlTicks);
            update.Parameters.AddWithValue("$expected", expectedThroughTurnId);
            return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken).ConfigureAwait(false);
    }
}
