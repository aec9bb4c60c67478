using Npgsql;
using NpgsqlTypes;

namespace Dexter.Sessions.PostgreSql;

public sealed partial class PostgreSqlSessionStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One transaction: the turn's row is read and locked (<c>FOR UPDATE</c>), then written back with the new summary, so a
    /// concurrent embedding update of the same turn queues behind it instead of being overwritten. The session's row is not written.
    /// </remarks>
    public Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnSummary(sessionId, turnId, summary);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
            await using var transactionScope = transaction.ConfigureAwait(false);
            byte[] record;
            var read = Command(connection, _schema.ReadTurnForUpdate, sessionId, now);
            await using (read.ConfigureAwait(false))
            {
                read.Transaction = transaction;
                read.Parameters.Add(new NpgsqlParameter<int> { TypedValue = turnId });
                var reader = await read.ExecuteReaderAsync(token).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                if (!await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    return false;
                }

                record = reader.GetFieldValue<byte[]>(0);
            }

            if (!TurnRecordSerializer.TryDeserialize(record, out var turn, out var problem))
            {
                throw CorruptRecord(sessionId, record, problem);
            }

            var update = new NpgsqlCommand(_schema.UpdateTurnRecord, connection, transaction);
            await using var updateScope = update.ConfigureAwait(false);
            update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sessionId });
            update.Parameters.Add(new NpgsqlParameter<int> { TypedValue = turnId });
            update.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = TurnRecordSerializer.Serialize(turn with { Summary = summary }, turnId), NpgsqlDbType = NpgsqlDbType.Bytea });
            var updated = await update.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
            await transaction.CommitAsync(token).ConfigureAwait(false);
            return updated;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One transaction: the turns' rows are read and locked (<c>FOR UPDATE</c>), then written back updated, so a concurrent
    /// update of the same turns queues behind it instead of being overwritten. The session's row is not written.
    /// </remarks>
    public Task<int> UpdateTurnsAsync(string sessionId, IReadOnlyCollection<int> turnIds, Func<Message, Message> update, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnUpdate(sessionId, turnIds, update);
        if (turnIds.Count == 0)
        {
            return Task.FromResult(0);
        }

        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
            await using var transactionScope = transaction.ConfigureAwait(false);
            var turns = new List<Message>();
            var read = Command(connection, _schema.ReadTurnsForUpdate, sessionId, now);
            await using (read.ConfigureAwait(false))
            {
                read.Transaction = transaction;
                read.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. turnIds.Distinct()] });
                var reader = await read.ExecuteReaderAsync(token).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                while (await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    turns.Add(ReadTurn(reader, sessionId));
                }
            }

            var updated = 0;
            foreach (var turn in turns)
            {
                var replacement = SessionStoreArguments.ThrowIfTurnIdChanged(turn.Id, update(turn));
                var write = new NpgsqlCommand(_schema.UpdateTurn, connection, transaction);
                await using var writeScope = write.ConfigureAwait(false);
                write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sessionId });
                write.Parameters.Add(new NpgsqlParameter<int> { TypedValue = turn.Id });
                write.Parameters.Add(new NpgsqlParameter<byte[]>
                {
                    TypedValue = TurnRecordSerializer.Serialize(replacement with { Embedding = ReadOnlyMemory<float>.Empty }, turn.Id),
                    NpgsqlDbType = NpgsqlDbType.Bytea,
                });
                write.Parameters.Add(new NpgsqlParameter { Value = (object?)Encode(replacement.Embedding) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
                updated += await write.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            }

            await transaction.CommitAsync(token).ConfigureAwait(false);
            return updated;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.GetSummary, sessionId, now);
            await using var commandScope = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            if (!await reader.ReadAsync(token).ConfigureAwait(false))
            {
                return null;
            }

            if (reader.IsDBNull(0) || reader.IsDBNull(2) || reader.IsDBNull(3) ||
                reader.GetInt64(2) < 0 || reader.GetInt64(2) > DateTime.MaxValue.Ticks || reader.GetInt32(3) is < -14 * 60 or > 14 * 60)
            {
                throw Corrupt(sessionId, "its row does not hold a valid summary time and offset beside its summary");
            }

            var updatedAt = new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(reader.GetInt32(3)));
            return new SessionSummary(reader.GetString(0), reader.GetInt32(1), updatedAt);
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One <c>UPDATE … WHERE summary_through = expected</c>: it compares, stores and refreshes the expiry in one statement.</remarks>
    public Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidSummary(sessionId, summary, expectedThroughTurnId);
        if (summary.ThroughTurnId <= expectedThroughTurnId)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(false);
        }

        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.TrySetSummary, sessionId, now, now + _ttl);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = summary.Text, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = summary.ThroughTurnId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = summary.UpdatedAt.UtcTicks });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)summary.UpdatedAt.Offset.TotalMinutes });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = expectedThroughTurnId });
            return await command.ExecuteNonQueryAsync(token).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }
}
