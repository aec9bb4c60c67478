using System.Globalization;
using System.Net.Sockets;
using Dexter.Sessions.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Dexter.Sessions.PostgreSql;

/// <summary>
/// An <see cref="ISessionStore"/> on PostgreSQL: sessions kept in the application's database, shared by every instance of the
/// application and as durable as the database.
/// </summary>
/// <remarks>
/// <para>
/// Two tables under <see cref="PostgreSqlSessionStoreOptions.Schema"/> and <see cref="PostgreSqlSessionStoreOptions.TablePrefix"/>:
/// <c>sessions</c> (one row per session: created, last activity, expiry, owner, last turn id) and <c>turns</c> (key
/// (session, turn id): the core's turn record as UTF-8 JSON and the embedding as float32 bytes), plus <c>schema_version</c>.
/// The store creates them on first use and migrates them forward, unless <see cref="PostgreSqlSessionStoreOptions.CreateSchema"/>
/// is off (then <see cref="GetSchemaScript"/> gives the DDL); a database whose tables are newer than the package is refused.
/// </para>
/// <para>
/// Appending a turn is one statement, one round trip: it locks the session's row, takes the next id, refreshes the expiry and
/// inserts the turn, so concurrent writers in any number of processes queue on the row and never lose or duplicate a turn.
/// <see cref="GetRecentAsync"/> reads the newest turns by the key's index and never the rest.
/// </para>
/// <para>
/// Every write refreshes the expiry (<see cref="PostgreSqlSessionStoreOptions.SessionTtl"/>), computed from the store's
/// <see cref="TimeProvider"/>; an expired session is invisible at once, and <see cref="DeleteExpiredSessionsAsync"/> (run by the
/// background service that <c>UsePostgreSql()</c> registers) deletes expired sessions in short batches. When the database cannot
/// be reached, a call fails within <see cref="PostgreSqlSessionStoreOptions.OperationTimeout"/> with
/// <see cref="SessionStoreUnavailableException"/> naming the host and database (never the password), and the same store works
/// again once the database is back.
/// </para>
/// </remarks>
public sealed partial class PostgreSqlSessionStore : IPingableSessionStore, IDisposable, IAsyncDisposable
{
    private const string ServerHint =
        "Check DEXTER_POSTGRES_URL (or Dexter:Sessions:PostgreSql:ConnectionString) and that the PostgreSQL server is running and reachable; " +
        "the store connects again by itself once it is back.";

    private const int MaxAppendAttempts = 3;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgreSqlSchema _schema;
    private readonly bool _createSchema;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _operationTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;
    private int _disposed;

    /// <summary>Initializes a store on the database its options name; it connects when it is first used.</summary>
    /// <param name="options">
    /// The options: <see cref="PostgreSqlSessionStoreOptions.DataSource"/> or <see cref="PostgreSqlSessionStoreOptions.ConnectionString"/>
    /// names the database.
    /// </param>
    /// <param name="timeProvider">The clock for creation, activity and expiry times; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options name no database, or a setting is not valid.</exception>
    public PostgreSqlSessionStore(IOptions<PostgreSqlSessionStoreOptions> options, TimeProvider? timeProvider = null, ILogger<PostgreSqlSessionStore>? logger = null)
        : this(options, externalDataSource: null, timeProvider, logger)
    {
    }

    /// <summary>Initializes a store on a data source the application owns; the store never disposes it.</summary>
    /// <param name="dataSource">The data source of the database.</param>
    /// <param name="options">The options (schema, tables, expiry); the defaults when <see langword="null"/>. Connection settings are not used.</param>
    /// <param name="timeProvider">The clock for creation, activity and expiry times; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A setting is not valid.</exception>
    public PostgreSqlSessionStore(NpgsqlDataSource dataSource, IOptions<PostgreSqlSessionStoreOptions>? options = null, TimeProvider? timeProvider = null, ILogger<PostgreSqlSessionStore>? logger = null)
        : this(options ?? Options.Create(new PostgreSqlSessionStoreOptions()), dataSource ?? throw new ArgumentNullException(nameof(dataSource)), timeProvider, logger)
    {
    }

    private PostgreSqlSessionStore(IOptions<PostgreSqlSessionStoreOptions> options, NpgsqlDataSource? externalDataSource, TimeProvider? timeProvider, ILogger<PostgreSqlSessionStore>? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value ?? throw new ArgumentException("The options have no value.", nameof(options));
        var validation = new PostgreSqlSessionStoreOptionsValidator().Validate(Options.DefaultName, settings);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        _schema = new PostgreSqlSchema(settings.Schema, settings.TablePrefix);
        _createSchema = settings.CreateSchema;
        _ttl = settings.SessionTtl;
        _operationTimeout = settings.OperationTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;

        if ((externalDataSource ?? settings.DataSource) is { } external)
        {
            _dataSource = external;
            Endpoint = Describe(new NpgsqlConnectionStringBuilder(external.ConnectionString));
        }
        else if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            var builder = PostgreSqlConnectionStringParser.Parse(settings.ConnectionString);
            builder.Timeout = (int)Math.Clamp(Math.Ceiling(settings.ConnectTimeout.TotalSeconds), 1, 3600);
            builder.CommandTimeout = (int)Math.Clamp(Math.Ceiling(settings.OperationTimeout.TotalSeconds) + 1, 1, 3601);
            if (builder.CancellationTimeout == new NpgsqlConnectionStringBuilder().CancellationTimeout)
            {
                // A cancelled call (the operation timeout) waits at most this long for the server to confirm.
                builder.CancellationTimeout = 500;
            }

            if (builder.MaxAutoPrepare == 0)
            {
                // The store runs a handful of statements over and over: prepared once per connection, they are not parsed
                // and planned again at every call. (Give a data source of your own to run behind PgBouncer's transaction mode.)
                builder.MaxAutoPrepare = 16;
            }

            // The store leaves no state on a connection (no settings, temporary tables or session locks), so a connection
            // going back to the pool needs no reset.
            builder.NoResetOnClose = true;
            Endpoint = Describe(builder);
            _dataSource = NpgsqlDataSource.Create(builder);
            _ownsDataSource = true;
        }
        else
        {
            throw new ArgumentException(
                "The PostgreSQL session store needs a database: set DEXTER_POSTGRES_URL (postgres://user:password@host:5432/db) or " +
                "Dexter:Sessions:PostgreSql:ConnectionString, or give PostgreSqlSessionStoreOptions.ConnectionString or DataSource.",
                nameof(options));
        }
    }

    /// <summary>Gets the database the store uses, as named in error messages: <c>host:port/database</c>, never the password.</summary>
    public string Endpoint { get; }

    /// <inheritdoc />
    string IPingableSessionStore.Description => "PostgreSQL at " + Endpoint;

    /// <summary>
    /// Gets the DDL that creates the store's tables at the current schema version, for teams that apply migrations themselves
    /// (with <see cref="PostgreSqlSessionStoreOptions.CreateSchema"/> off). Running it again, or on an older version, is safe.
    /// </summary>
    /// <param name="schema">The PostgreSQL schema; <c>public</c> by default.</param>
    /// <param name="tablePrefix">The table prefix; <c>dexter_</c> by default.</param>
    /// <returns>The SQL script.</returns>
    /// <exception cref="ArgumentException">The schema or prefix is not a valid name.</exception>
    public static string GetSchemaScript(string schema = PostgreSqlSessionStoreOptions.DefaultSchema, string tablePrefix = PostgreSqlSessionStoreOptions.DefaultTablePrefix)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(tablePrefix);
        var validation = new PostgreSqlSessionStoreOptionsValidator().Validate(null, new PostgreSqlSessionStoreOptions { Schema = schema, TablePrefix = tablePrefix });
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage);
        }

        return new PostgreSqlSchema(schema, tablePrefix).Script();
    }

    /// <inheritdoc />
    public Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.Get, sessionId, now);
            await using var commandScope = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            if (!await reader.ReadAsync(token).ConfigureAwait(false))
            {
                return null;
            }

            var turns = new List<Message>();
            do
            {
                if (!reader.IsDBNull(0))
                {
                    turns.Add(ReadTurn(reader, sessionId));
                }
            }
            while (await reader.ReadAsync(token).ConfigureAwait(false));

            return new MessageHistory(turns, timeProvider: _timeProvider);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(history);
        var turns = history.GetAll();
        var ids = new int[turns.Count];
        var positions = new int[turns.Count];
        var records = new byte[turns.Count][];
        var embeddings = new byte[]?[turns.Count];
        for (var i = 0; i < turns.Count; i++)
        {
            ids[i] = turns[i].Id;
            positions[i] = i + 1;
            records[i] = TurnRecordSerializer.Serialize(turns[i] with { Embedding = ReadOnlyMemory<float>.Empty }, turns[i].Id);
            embeddings[i] = Encode(turns[i].Embedding);
        }

        var lastId = ids.Length == 0 ? 0 : Math.Max(0, ids.Max());
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var transaction = await connection.BeginTransactionAsync(token).ConfigureAwait(false);
            await using var transactionScope = transaction.ConfigureAwait(false);
            var batch = new NpgsqlBatch(connection, transaction);
            await using var batchScope = batch.ConfigureAwait(false);
            batch.BatchCommands.Add(BatchCommand(_schema.DeleteIfExpired, sessionId, now));
            batch.BatchCommands.Add(BatchCommand(_schema.SetSession, sessionId, now, now + _ttl, lastId, turns.Count));
            batch.BatchCommands.Add(BatchCommand(_schema.DeleteTurns, sessionId));
            if (turns.Count > 0)
            {
                var insert = BatchCommand(_schema.InsertTurns, sessionId);
                insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = ids });
                insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = positions });
                insert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = records, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
                insert.Parameters.Add(new NpgsqlParameter<byte[]?[]> { TypedValue = embeddings, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
                batch.BatchCommands.Add(insert);
            }

            await batch.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            await transaction.CommitAsync(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.Delete, sessionId, now);
            await using var commandScope = command.ConfigureAwait(false);
            return await command.ExecuteScalarAsync(token).ConfigureAwait(false) is true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.Exists, sessionId, now);
            await using var commandScope = command.ConfigureAwait(false);
            return await command.ExecuteScalarAsync(token).ConfigureAwait(false) is true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            // One round trip, one implicit transaction: an expired session of the same id is removed first.
            var batch = new NpgsqlBatch(connection);
            await using var batchScope = batch.ConfigureAwait(false);
            batch.BatchCommands.Add(BatchCommand(_schema.DeleteIfExpired, sessionId, now));
            var create = BatchCommand(_schema.Create, sessionId, now, now + _ttl);
            create.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = owner, NpgsqlDbType = NpgsqlDbType.Text });
            batch.BatchCommands.Add(create);
            return await batch.ExecuteScalarAsync(token).ConfigureAwait(false) is 1 ||
                create.RecordsAffected == 1;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.Metadata, sessionId, now);
            await using var commandScope = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            if (!await reader.ReadAsync(token).ConfigureAwait(false))
            {
                return null;
            }

            return ReadMetadata(reader);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default) =>
        (await AppendCoreAsync(sessionId, message, mustExist: false, cancellationToken).ConfigureAwait(false))!;

    /// <inheritdoc />
    public Task<Message?> AppendToExistingAsync(string sessionId, Message message, CancellationToken cancellationToken = default) =>
        AppendCoreAsync(sessionId, message, mustExist: true, cancellationToken);

    private async Task<Message?> AppendCoreAsync(string sessionId, Message message, bool mustExist, CancellationToken cancellationToken)
    {
        SessionId.ThrowIfInvalid(sessionId);
        TurnKey.ThrowIfInvalidKeyOf(message);
        var record = TurnRecordSerializer.Serialize(message with { Embedding = ReadOnlyMemory<float>.Empty }, id: 0);
        var embedding = Encode(message.Embedding);
        var key = message.TurnKey;
        var (id, keyed) = await RunAsync(sessionId, async (connection, now, token) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                // A keyed turn recorded already (by an earlier try or a concurrent duplicate) is returned, not recorded again.
                if (key is not null && await FindByKeyAsync(connection, sessionId, key, now, token).ConfigureAwait(false) is { } recorded)
                {
                    return (0, recorded);
                }

                var statement = key is null
                    ? mustExist ? _schema.AppendToExisting : _schema.Append
                    : mustExist ? _schema.AppendToExistingKeyed : _schema.AppendKeyed;
                var command = Command(connection, statement, sessionId, now, now + _ttl);
                await using var commandScope = command.ConfigureAwait(false);
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = record, NpgsqlDbType = NpgsqlDbType.Bytea });
                command.Parameters.Add(new NpgsqlParameter<byte[]?> { TypedValue = embedding, NpgsqlDbType = NpgsqlDbType.Bytea });
                if (key is not null)
                {
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
                }

                try
                {
                    if (await command.ExecuteScalarAsync(token).ConfigureAwait(false) is int assigned)
                    {
                        return (assigned, (Message?)null);
                    }
                }
                catch (PostgresException e) when (key is not null && e.SqlState == PostgresErrorCodes.UniqueViolation && attempt < MaxAppendAttempts)
                {
                    // A concurrent append recorded a turn with this key first (the statement appended nothing): read it.
                    continue;
                }

                // Deleted or expired: a session that had to exist stays gone.
                if (mustExist)
                {
                    return (0, null);
                }

                // The session expired but is not deleted yet: delete it (its turns go with it) and start it again at id 1.
                if (attempt == MaxAppendAttempts)
                {
                    throw new SessionStoreException(
                        $"A turn could not be appended to session '{sessionId}' in PostgreSQL at {Endpoint}: the session kept expiring " +
                        $"during {MaxAppendAttempts} attempts (is the clock of this process far ahead?). Try again.",
                        sessionId,
                        innerException: null);
                }

                var delete = Command(connection, _schema.DeleteIfExpired, sessionId, now);
                await using var deleteScope = delete.ConfigureAwait(false);
                await delete.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);

        if (keyed is not null)
        {
            return keyed;
        }

        if (id == 0)
        {
            return null;
        }

        Log.TurnAppended(_logger, id, sessionId);
        return message with { Id = id };
    }

    /// <inheritdoc />
    /// <remarks>The latest turns are those with the highest ids; they are returned in id order.</remarks>
    public Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return RunAsync<IReadOnlyList<Message>>(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.GetRecent, sessionId, now);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
            var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            var turns = new List<Message>(Math.Min(count, 64));
            while (await reader.ReadAsync(token).ConfigureAwait(false))
            {
                turns.Add(ReadTurn(reader, sessionId));
            }

            turns.Reverse();
            return turns;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        var pending = new Dictionary<int, byte[]?>();
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            if (message.Id >= 1)
            {
                pending[message.Id] = Encode(message.Embedding);
            }
        }

        if (pending.Count == 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }

        return RunAsync(sessionId, async (connection, now, token) =>
        {
            var command = Command(connection, _schema.UpdateEmbeddings, sessionId, now, now + _ttl);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. pending.Keys] });
            command.Parameters.Add(new NpgsqlParameter<byte[]?[]> { TypedValue = [.. pending.Values], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes at most <paramref name="batchSize"/> expired sessions with their turns, in one short transaction that skips
    /// sessions other calls hold. The background service of <c>UsePostgreSql()</c> calls it until a batch comes back short.
    /// </summary>
    /// <param name="batchSize">How many sessions to delete at most; must be positive.</param>
    /// <param name="cancellationToken">A token to cancel the delete.</param>
    /// <returns>How many sessions were deleted.</returns>
    /// <exception cref="SessionStoreUnavailableException">The database did not answer in time.</exception>
    public Task<int> DeleteExpiredSessionsAsync(int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return RunAsync(sessionId: null, async (connection, now, token) =>
        {
            var command = new NpgsqlCommand(_schema.DeleteExpired, connection);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
            var deleted = await command.ExecuteNonQueryAsync(token).ConfigureAwait(false);
            if (deleted > 0)
            {
                Log.ExpiredSessionsDeleted(_logger, deleted, Endpoint);
            }

            return deleted;
        }, cancellationToken);
    }

    /// <summary>Checks that the database answers and that the store's tables are at the version this package knows.</summary>
    /// <param name="cancellationToken">A token to cancel the wait.</param>
    /// <returns>The round-trip time of a trivial query.</returns>
    /// <exception cref="SessionStoreUnavailableException">The database did not answer in time.</exception>
    /// <exception cref="SessionStoreException">The tables are missing (with <see cref="PostgreSqlSessionStoreOptions.CreateSchema"/> off) or newer than the package.</exception>
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) =>
        RunAsync(sessionId: null, async (connection, _, token) =>
        {
            var started = _timeProvider.GetTimestamp();
            var command = new NpgsqlCommand("SELECT 1", connection);
            await using var commandScope = command.ConfigureAwait(false);
            await command.ExecuteScalarAsync(token).ConfigureAwait(false);
            return _timeProvider.GetElapsedTime(started);
        }, cancellationToken);

    /// <summary>Disposes the data source when the store built it; a data source from the application is left alone.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }

        _schemaLock.Dispose();
    }

    /// <summary>Disposes the data source when the store built it; a data source from the application is left alone.</summary>
    /// <returns>A task that completes when the connections are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _schemaLock.Dispose();
    }

    /// <summary>
    /// Runs one call: a connection from the pool, the schema checked on first use, everything within the operation timeout;
    /// database failures become <see cref="SessionStoreUnavailableException"/> or <see cref="SessionStoreException"/>.
    /// </summary>
    private async Task<T> RunAsync<T>(string? sessionId, Func<NpgsqlConnection, DateTimeOffset, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_operationTimeout);
        var work = RunOnConnectionAsync(action, timeout.Token);
        try
        {
            // Npgsql cancels the statement when the token fires, but asking a hung server to cancel can take longer than the
            // timeout (a new connection, TLS negotiation): the call stops waiting at the deadline all the same. Real time, as for
            // the token: the store's TimeProvider keeps session times only.
            return await work.WaitAsync(_operationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e) when (!work.IsCompleted)
        {
            throw TimedOut(sessionId, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            throw TimedOut(sessionId, e);
        }
        catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            throw TimedOut(sessionId, e);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // The tables were dropped under the store (or the database replaced): look at the schema again on the next call.
            _schemaReady = false;
            throw new SessionStoreException(
                $"The session tables ({_schema.Description}) are missing in PostgreSQL at {Endpoint}: {ErrorMessage.FirstSentence(e.MessageText)}. " +
                (_createSchema ? "They are created again on the next call." : "Apply the DDL of PostgreSqlSessionStore.GetSchemaScript() (see the package README)."),
                sessionId,
                e);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw Translate(e, sessionId);
        }
        finally
        {
            if (!work.IsCompleted)
            {
                // Left behind at the deadline or on cancellation: the statement finishes or fails in the background, its
                // connection then going back to the pool or away. Its failure is the one already reported to the caller.
                _ = work.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private async Task<T> RunOnConnectionAsync<T>(Func<NpgsqlConnection, DateTimeOffset, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        if (!_schemaReady)
        {
            await EnsureSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        return await action(connection, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private SessionStoreUnavailableException TimedOut(string? sessionId, Exception cause)
    {
        if (_ownsDataSource)
        {
            _dataSource.Clear();
        }

        return Unavailable(string.Create(CultureInfo.InvariantCulture, $"did not answer within {_operationTimeout.TotalSeconds:0.###} s"), sessionId, cause);
    }

    private async Task EnsureSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            var version = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
            if (version != PostgreSqlSchema.CurrentVersion)
            {
                ThrowIfNewer(version);
                if (!_createSchema)
                {
                    throw new SessionStoreException(
                        version is null
                            ? $"The session tables ({_schema.Description}) do not exist in PostgreSQL at {Endpoint}, and CreateSchema is off. " +
                              "Apply the DDL of PostgreSqlSessionStore.GetSchemaScript() (see the package README), or turn Dexter:Sessions:PostgreSql:CreateSchema on."
                            : $"The session tables ({_schema.Description}) in PostgreSQL at {Endpoint} are at schema version {version}, older than this package's " +
                              $"{PostgreSqlSchema.CurrentVersion}, and CreateSchema is off. Apply the DDL of PostgreSqlSessionStore.GetSchemaScript(), or turn Dexter:Sessions:PostgreSql:CreateSchema on.");
                }

                await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    private async Task<int?> ReadVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = new NpgsqlCommand(_schema.TableExists, connection);
        await using var existsScope = exists.ConfigureAwait(false);
        exists.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _schema.Versions });
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            return null;
        }

        var read = new NpgsqlCommand(_schema.CurrentVersionQuery, connection);
        await using var readScope = read.ConfigureAwait(false);
        return (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async Task MigrateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);

        // One process at a time creates or migrates these tables; the others wait here, then find them current.
        var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction);
        await using (lockCommand.ConfigureAwait(false))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _schema.MigrationLockKey });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var create = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {_schema.Schema}; {_schema.CreateVersions}", connection, transaction);
        await using (create.ConfigureAwait(false))
        {
            if (_schema.SchemaName == PostgreSqlSessionStoreOptions.DefaultSchema)
            {
                create.CommandText = _schema.CreateVersions;
            }

            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        int from;
        var read = new NpgsqlCommand(_schema.CurrentVersionQuery, connection, transaction);
        await using (read.ConfigureAwait(false))
        {
            from = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        ThrowIfNewer(from);
        for (var version = from + 1; version <= PostgreSqlSchema.CurrentVersion; version++)
        {
            var migrate = new NpgsqlCommand(_schema.Migrations[version - 1], connection, transaction);
            await using var migrateScope = migrate.ConfigureAwait(false);
            await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            var record = new NpgsqlCommand(_schema.InsertVersion, connection, transaction);
            await using var recordScope = record.ConfigureAwait(false);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (from < PostgreSqlSchema.CurrentVersion)
        {
            Log.SchemaMigrated(_logger, _schema.Description, Endpoint, from, PostgreSqlSchema.CurrentVersion);
        }
    }

    private void ThrowIfNewer(int? version)
    {
        if (version > PostgreSqlSchema.CurrentVersion)
        {
            throw new SessionStoreException(
                $"The session tables ({_schema.Description}) in PostgreSQL at {Endpoint} are at schema version {version}, written by a newer " +
                $"Dexter.Sessions.PostgreSql than this one (it knows version {PostgreSqlSchema.CurrentVersion}). Upgrade the package, " +
                "or use another Dexter:Sessions:PostgreSql:Schema or TablePrefix.");
        }
    }

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql, string sessionId, DateTimeOffset now, DateTimeOffset? expiresAt = null)
    {
        var command = new NpgsqlCommand(sql, connection);
        AddParameters(command.Parameters, sessionId, now, expiresAt);
        return command;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, string sessionId, DateTimeOffset? now = null, DateTimeOffset? expiresAt = null, int? lastId = null, int? turnCount = null)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = sessionId });
        if (now is { } time)
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time });
        }

        if (expiresAt is { } expires)
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = expires });
        }

        if (lastId is { } last)
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = last });
        }

        if (turnCount is { } count)
        {
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
        }

        return command;
    }

    private static void AddParameters(NpgsqlParameterCollection parameters, string sessionId, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        parameters.Add(new NpgsqlParameter<string> { TypedValue = sessionId });
        parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        if (expiresAt is { } expires)
        {
            parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = expires });
        }
    }

    private static byte[]? Encode(ReadOnlyMemory<float> embedding) =>
        embedding.IsEmpty ? null : TurnRecordSerializer.EncodeEmbedding(embedding.Span);

    private Message ReadTurn(NpgsqlDataReader reader, string sessionId)
    {
        var record = reader.GetFieldValue<byte[]>(0);
        if (!TurnRecordSerializer.TryDeserialize(record, out var message, out var problem))
        {
            throw CorruptRecord(sessionId, record, problem);
        }

        if (!reader.IsDBNull(1))
        {
            var bytes = reader.GetFieldValue<byte[]>(1);
            if (bytes.Length % sizeof(float) != 0)
            {
                throw Corrupt(sessionId, $"the embedding of turn {message.Id} is not a whole number of float32 values");
            }

            message = message with { Embedding = TurnRecordSerializer.DecodeEmbedding(bytes) };
        }

        return message;
    }

    private SessionStoreException Corrupt(string sessionId, string problem)
    {
        Log.CorruptRecord(_logger, sessionId, problem);
        return new SessionStoreException(
            $"The session '{sessionId}' in PostgreSQL at {Endpoint} cannot be read: {problem}. " +
            "Other sessions are not affected; delete this session (DeleteAsync) to start it again.",
            sessionId,
            innerException: null);
    }

    private SessionStoreException CorruptRecord(string sessionId, ReadOnlySpan<byte> record, string problem)
    {
        Log.CorruptRecord(_logger, sessionId, "a turn record cannot be read: " + problem);
        return TurnRecordSerializer.UnreadableRecordException(record, sessionId, $"in PostgreSQL at {Endpoint}", problem);
    }

    private SessionStoreException Translate(Exception e, string? sessionId)
    {
        if (e is PostgresException postgres && !IsUnavailable(postgres.SqlState))
        {
            var about = sessionId is null ? string.Empty : $" for session '{sessionId}'";
            return new SessionStoreException(
                $"PostgreSQL at {Endpoint} refused a statement{about}: {ErrorMessage.FirstSentence(postgres.MessageText)} (SQLSTATE {postgres.SqlState}).", sessionId, e);
        }

        if (_ownsDataSource)
        {
            // Connections opened before the failure are most likely broken too; new ones are opened once the server is back.
            _dataSource.Clear();
        }

        var reason = e is PostgresException server ? $"is not accepting connections ({ErrorMessage.FirstSentence(server.MessageText)})" : $"could not be reached ({ErrorMessage.FirstSentence(Innermost(e).Message)})";
        return Unavailable(reason, sessionId, e);
    }

    private static bool IsUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) || // connection exceptions
        sqlState.StartsWith("57P", StringComparison.Ordinal) || // admin shutdown, crash shutdown, cannot connect now
        sqlState == PostgresErrorCodes.TooManyConnections;

    private SessionStoreUnavailableException Unavailable(string reason, string? sessionId, Exception? innerException)
    {
        Log.Unavailable(_logger, Endpoint, innerException);
        return new SessionStoreUnavailableException($"PostgreSQL at {Endpoint} {reason}. {ServerHint}", Endpoint, sessionId, innerException);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is { } inner && e is NpgsqlException)
        {
            e = inner;
        }

        return e;
    }

    private static string Describe(NpgsqlConnectionStringBuilder builder)
    {
        var host = string.IsNullOrWhiteSpace(builder.Host) ? "(no host)" : builder.Host;
        var port = host.Contains(',', StringComparison.Ordinal) || host.StartsWith('/') ? string.Empty : ":" + builder.Port.ToString(CultureInfo.InvariantCulture);
        return host + port + "/" + (builder.Database ?? builder.Username ?? "postgres");
    }
}
