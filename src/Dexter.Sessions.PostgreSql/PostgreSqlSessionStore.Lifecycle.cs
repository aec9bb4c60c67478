using Npgsql;
using NpgsqlTypes;

namespace Dexter.Sessions.PostgreSql;

/// <content>
/// Rewind, fork and turn keys. A rewind and a fork are one transaction each, holding the session's row lock (a rewind) or a
/// share lock on the source's row (a fork), so appends queue behind them; a keyed append is one statement that the unique
/// index (session_id, turn_key) makes fail when the key is taken, after which the recorded turn is read.
/// </content>
public sealed partial class PostgreSqlSessionStore
{
    /// <inheritdoc />
    public Task<RewindResult> RewindAsync(string sessionId, int throughTurnId, int? expectedLastTurnId = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidRewind(sessionId, throughTurnId, expectedLastTurnId);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
            await using var transactionScope = transaction.ConfigureAwait(false);
            int last;
            var read = Command(connection, _schema.LockLastId, sessionId, now);
            await using (read.ConfigureAwait(false))
            {
                read.Transaction = transaction;
                if (await read.ExecuteScalarAsync(token).ConfigureAwait(false) is not int lastId)
                {
                    return RewindResult.NotFound;
                }

                last = lastId;
            }

            if (expectedLastTurnId is { } expected && expected != last)
            {
                return new RewindResult(RewindStatus.Conflict, last, 0);
            }

            var rewind = Command(connection, _schema.Rewind, sessionId, now, now + _ttl);
            await using var rewindScope = rewind.ConfigureAwait(false);
            rewind.Transaction = transaction;
            rewind.Parameters.Add(new NpgsqlParameter<int> { TypedValue = throughTurnId });
            var removed = (int)(await rewind.ExecuteScalarAsync(token).ConfigureAwait(false))!;
            await transaction.CommitAsync(token).ConfigureAwait(false);
            return new RewindResult(RewindStatus.Rewound, Math.Min(last, throughTurnId), removed);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SessionMetadata?> ForkAsync(
        string sourceSessionId, int throughTurnId, string newSessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidFork(sourceSessionId, throughTurnId, newSessionId);
        return RunAsync(newSessionId, async (connection, now, token) =>
        {
            var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
            await using var transactionScope = transaction.ConfigureAwait(false);
            string? sourceOwner;
            int last;
            var read = Command(connection, _schema.ForkSource, sourceSessionId, now);
            await using (read.ConfigureAwait(false))
            {
                read.Transaction = transaction;
                var reader = await read.ExecuteReaderAsync(token).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                if (!await reader.ReadAsync(token).ConfigureAwait(false))
                {
                    return null;
                }

                sourceOwner = reader.IsDBNull(0) ? null : reader.GetString(0);
                last = reader.GetInt32(1);
            }

            if (throughTurnId > last)
            {
                throw SessionStoreArguments.ForkBeyondLastTurn(sourceSessionId, throughTurnId, last);
            }

            // Created by the statements of CreateAsync, in this transaction: an expired session of the id goes first.
            var create = new NpgsqlBatch(connection, transaction);
            await using (create.ConfigureAwait(false))
            {
                create.BatchCommands.Add(BatchCommand(_schema.DeleteIfExpired, newSessionId, now));
                var insert = BatchCommand(_schema.Create, newSessionId, now, now + _ttl);
                insert.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = owner ?? sourceOwner, NpgsqlDbType = NpgsqlDbType.Text });
                create.BatchCommands.Add(insert);
                if (await create.ExecuteScalarAsync(token).ConfigureAwait(false) is not 1 && insert.RecordsAffected != 1)
                {
                    throw SessionStoreArguments.ForkTargetExists(newSessionId);
                }
            }

            var copy = new NpgsqlCommand(_schema.ForkCopy, connection, transaction);
            await using var copyScope = copy.ConfigureAwait(false);
            copy.Parameters.Add(new NpgsqlParameter<string> { TypedValue = newSessionId });
            copy.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sourceSessionId });
            copy.Parameters.Add(new NpgsqlParameter<int> { TypedValue = throughTurnId });
            SessionMetadata metadata;
            var created = await copy.ExecuteReaderAsync(token).ConfigureAwait(false);
            await using (created.ConfigureAwait(false))
            {
                await created.ReadAsync(token).ConfigureAwait(false);
                metadata = new SessionMetadata(
                    newSessionId,
                    created.GetFieldValue<DateTimeOffset>(0),
                    created.GetFieldValue<DateTimeOffset>(1),
                    created.GetInt32(2),
                    created.IsDBNull(3) ? null : created.GetString(3))
                {
                    Title = created.IsDBNull(4) ? null : created.GetString(4),
                    TitleSource = (SessionTitleSource)created.GetInt32(5),
                    ForkedFromSessionId = sourceSessionId,
                    ForkedFromTurnId = throughTurnId,
                };
            }

            await transaction.CommitAsync(token).ConfigureAwait(false);
            return metadata;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<Message?> GetTurnByKeyAsync(string sessionId, string turnKey, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        TurnKey.ThrowIfInvalid(turnKey);
        return RunAsync(sessionId, (connection, now, token) => FindByKeyAsync(connection, sessionId, turnKey, now, token), cancellationToken);
    }

    private async Task<Message?> FindByKeyAsync(NpgsqlConnection connection, string sessionId, string turnKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var command = Command(connection, _schema.TurnByKey, sessionId, now);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = turnKey });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadTurn(reader, sessionId) with { TurnKey = turnKey } : null;
    }
}
