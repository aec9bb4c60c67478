using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dexter.Sessions.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Sqlite;

/// <summary>
/// An <see cref="ISessionStore"/> on one SQLite file: sessions kept across restarts with no server, shared by every
/// process that opens the same file.
/// </summary>
/// <remarks>
/// <para>
/// The file is in WAL mode, so reads never wait for writes. A session is one row of <c>{prefix}sessions</c> (creation, last
/// activity, expiry, owner, last turn id, rolling summary); each turn is one row of <c>{prefix}turns</c> keyed by (session, position), holding
/// the core's turn record (<see cref="TurnRecordSerializer"/>) and the embedding as a BLOB of float32 values.
/// <see cref="GetRecentAsync"/> reads only the rows it returns.
/// </para>
/// <para>
/// Appending a turn is one <c>BEGIN IMMEDIATE</c> transaction that takes the next id from the session row, so concurrent
/// writers in any number of tasks and processes never lose or duplicate a turn. Writers of one store queue in the process;
/// writers of other processes wait on SQLite's busy timeout (<see cref="SqliteSessionStoreOptions.Timeout"/>).
/// </para>
/// <para>
/// Every write refreshes the expiry (<see cref="SqliteSessionStoreOptions.SessionTtl"/>); every read ignores expired
/// sessions, which the cleanup service deletes in batches (<see cref="DeleteExpiredSessionsAsync"/>). A database that cannot be
/// opened, read or locked in time fails the call with <see cref="SessionStoreUnavailableException"/> naming the file; the same
/// store works again once the file is usable.
/// </para>
/// </remarks>
public sealed partial class SqliteSessionStore : IPingableSessionStore, IDisposable
{
    private const string Hint =
        "Check Dexter:Sessions:Sqlite:Path (DEXTER_SQLITE_PATH): its directory must exist and the process must be able to read and write the file " +
        "and its -wal and -shm files beside it; the store works again once the file is usable.";

    private readonly string _path;
    private readonly string _connectionString;
    private readonly SqliteSchema _schema;
    private readonly bool _createSchema;
    private readonly long _ttlTicks;
    private readonly TimeSpan _timeout;
    private readonly string _openPragmas;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private readonly string _purgeExpiredSql;
    private volatile bool _schemaReady;
    private int _disposed;

    /// <summary>Initializes a store on the file its options name; the file and its tables are created when first used.</summary>
    /// <param name="options">The options; <see cref="SqliteSessionStoreOptions.Path"/> names the file.</param>
    /// <param name="timeProvider">The clock for creation, activity and expiry times; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options name no file, or a setting is not valid.</exception>
    public SqliteSessionStore(IOptions<SqliteSessionStoreOptions> options, TimeProvider? timeProvider = null, ILogger<SqliteSessionStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value ?? throw new ArgumentException("The options have no value.", nameof(options));
        var validation = new SqliteSessionStoreOptionsValidator().Validate(Options.DefaultName, settings);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        if (string.IsNullOrWhiteSpace(settings.Path))
        {
            throw new ArgumentException(
                "The SQLite session store needs a file: set Dexter:Sessions:Sqlite:Path (DEXTER_SQLITE_PATH where the application calls " +
                "AddDexterSessionsEnvironmentVariables()) or SqliteSessionStoreOptions.Path, for example sessions.db.",
                nameof(options));
        }

        _path = System.IO.Path.GetFullPath(settings.Path.Trim());
        _createSchema = settings.CreateSchema;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = _createSchema ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(settings.Timeout.TotalSeconds),
        }.ToString();
        _schema = new SqliteSchema(settings.TablePrefix);
        _ttlTicks = settings.SessionTtl.Ticks;
        _timeout = settings.Timeout;
        _openPragmas = string.Create(
            CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(long)Math.Ceiling(settings.Timeout.TotalMilliseconds)}; PRAGMA synchronous = {(settings.Durability == SqliteDurability.Normal ? "NORMAL" : "FULL")};");
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        // The expiry test bounds the range of seq rather than standing beside it in the WHERE clause: SQLite checks an uncorrelated
        // EXISTS once per row of the session, so that form read every turn of the session on each append (O(n) in its length).
        _purgeExpiredSql =
            $"""
            DELETE FROM {_schema.Turns}
            WHERE "session_id" = $id
              AND "seq" <= (SELECT CASE WHEN "expires_at" <= $now THEN 9223372036854775807 ELSE -1 END FROM {_schema.Sessions} WHERE "session_id" = $id);
            DELETE FROM {_schema.Sessions} WHERE "session_id" = $id AND "expires_at" <= $now;
            """;
    }

    /// <summary>Gets the full path of the database file, as named in error messages.</summary>
    public string Path => _path;

    /// <inheritdoc />
    string IPingableSessionStore.Description => "The SQLite session database " + _path;

    /// <inheritdoc />
    public async Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: true); // one snapshot for both reads
            var now = Now();
            using (var exists = Command(connection, $"""SELECT 1 FROM {_schema.Sessions} WHERE "session_id" = $id AND "expires_at" > $now""", sessionId, now))
            {
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    return null;
                }
            }

            using var read = Command(connection, $"""SELECT "record", "embedding" FROM {_schema.Turns} WHERE "session_id" = $id ORDER BY "seq" """, sessionId, now);
            var turns = await ReadTurnsAsync(read, sessionId, reverse: false, cancellationToken).ConfigureAwait(false);
            return new MessageHistory(turns, timeProvider: _timeProvider);
        }
        catch (SqliteException e)
        {
            throw Translate(e, sessionId);
        }
    }

    /// <inheritdoc />
    public async Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(history);
        cancellationToken.ThrowIfCancellationRequested();
        var turns = history.GetAll();
        var records = turns.Select(t => (t.Id, Record: Encoding.UTF8.GetString(SerializeWithoutEmbedding(t, t.Id)), Embedding: EncodeEmbedding(t))).ToArray();
        var lastId = turns.Count == 0 ? 0 : turns.Max(t => t.Id);
        await WriteAsync(sessionId, async (connection, now) =>
        {
            using (var upsert = Command(
                connection,
                $"""
                DELETE FROM {_schema.Turns} WHERE "session_id" = $id;
                INSERT INTO {_schema.Sessions} ("session_id", "owner", "created_at", "last_activity_at", "expires_at", "last_id", "last_seq", "turn_count")
                VALUES ($id, NULL, $now, $now, $expires, $lastId, $count, $count)
                ON CONFLICT ("session_id") DO UPDATE SET
                    "owner" = CASE WHEN "expires_at" <= $now THEN NULL ELSE "owner" END,
                    "title" = CASE WHEN "expires_at" <= $now THEN NULL ELSE "title" END,
                    "title_source" = CASE WHEN "expires_at" <= $now THEN 0 ELSE "title_source" END,
                    "created_at" = CASE WHEN "expires_at" <= $now THEN $now ELSE "created_at" END,
                    "last_activity_at" = $now, "expires_at" = $expires, "last_id" = $lastId, "last_seq" = $count, "turn_count" = $count,
                    "summary" = NULL, "summary_through" = 0, "summary_updated_at" = NULL, "summary_updated_offset" = NULL;
                """,
                sessionId,
                now))
            {
                upsert.Parameters.AddWithValue("$expires", now + _ttlTicks);
                upsert.Parameters.AddWithValue("$lastId", lastId);
                upsert.Parameters.AddWithValue("$count", records.Length);
                await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (records.Length > 0)
            {
                using var insert = InsertTurnCommand(connection, sessionId);
                for (var i = 0; i < records.Length; i++)
                {
                    SetTurn(insert, seq: i + 1, records[i].Id, records[i].Record, records[i].Embedding);
                    await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        return WriteAsync(sessionId, async (connection, now) =>
        {
            using var delete = Command(
                connection,
                $"""
                DELETE FROM {_schema.Turns} WHERE "session_id" = $id;
                DELETE FROM {_schema.Sessions} WHERE "session_id" = $id RETURNING "expires_at";
                """,
                sessionId,
                now);
            return await delete.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long expiresAt && expiresAt > now;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var exists = Command(connection, $"""SELECT 1 FROM {_schema.Sessions} WHERE "session_id" = $id AND "expires_at" > $now""", sessionId, Now());
            return await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (SqliteException e)
        {
            throw Translate(e, sessionId);
        }
    }

    /// <inheritdoc />
    public Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        return WriteAsync(sessionId, (connection, now) => CreateSessionAsync(connection, sessionId, owner, now, cancellationToken), cancellationToken);
    }

    // Creates an empty session in the caller's transaction; false when it exists. Every path that creates a session with an
    // owner (CreateAsync, ForkAsync) goes through here.
    private async Task<bool> CreateSessionAsync(SqliteConnection connection, string sessionId, string? owner, long now, CancellationToken cancellationToken)
    {
        using var create = Command(
            connection,
            _purgeExpiredSql +
            $"""
            INSERT INTO {_schema.Sessions} ("session_id", "owner", "created_at", "last_activity_at", "expires_at", "last_id", "last_seq", "turn_count")
            VALUES ($id, $owner, $now, $now, $expires, 0, 0, 0)
            ON CONFLICT ("session_id") DO NOTHING
            RETURNING 1;
            """,
            sessionId,
            now);
        create.Parameters.AddWithValue("$owner", (object?)owner ?? DBNull.Value);
        create.Parameters.AddWithValue("$expires", now + _ttlTicks);
        return await create.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <inheritdoc />
    public async Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var read = Command(
                connection,
                $"""SELECT {MetadataColumns} FROM {_schema.Sessions} WHERE "session_id" = $id AND "expires_at" > $now""",
                sessionId,
                Now());
            using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return ReadMetadata(reader);
        }
        catch (SqliteException e)
        {
            throw Translate(e, sessionId);
        }
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
        cancellationToken.ThrowIfCancellationRequested();

        // Serialized without an id ({"v":…}); the id is put in front once the transaction has taken it.
        var record = SerializeWithoutEmbedding(message, id: 0);
        var embedding = EncodeEmbedding(message);
        Message? keyed = null;
        var id = await WriteAsync(sessionId, async (connection, now) =>
        {
            // A key the session holds: nothing is recorded, the turn recorded with it is returned (writers are serialized).
            if (message.TurnKey is { } key && (keyed = await FindByKeyAsync(connection, sessionId, key, now, cancellationToken).ConfigureAwait(false)) is not null)
            {
                return -1;
            }

            long turnId, seq;
            using (var next = Command(
                connection,
                _purgeExpiredSql + (mustExist
                    ? $"""
                    UPDATE {_schema.Sessions} SET
                        "last_id" = "last_id" + 1, "last_seq" = "last_seq" + 1, "turn_count" = "turn_count" + 1,
                        "last_activity_at" = $now, "expires_at" = $expires
                    WHERE "session_id" = $id
                    RETURNING "last_id", "last_seq";
                    """
                    : $"""
                    INSERT INTO {_schema.Sessions} ("session_id", "owner", "created_at", "last_activity_at", "expires_at", "last_id", "last_seq", "turn_count")
                    VALUES ($id, NULL, $now, $now, $expires, 1, 1, 1)
                    ON CONFLICT ("session_id") DO UPDATE SET
                        "last_id" = "last_id" + 1, "last_seq" = "last_seq" + 1, "turn_count" = "turn_count" + 1,
                        "last_activity_at" = $now, "expires_at" = $expires
                    RETURNING "last_id", "last_seq";
                    """),
                sessionId,
                now))
            {
                next.Parameters.AddWithValue("$expires", now + _ttlTicks);
                using var reader = await next.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    // Only an append to an existing session finds no row: the session was deleted or has expired (purged above).
                    return mustExist ? 0 : throw new UnreachableException("INSERT … RETURNING returned no row.");
                }

                (turnId, seq) = (reader.GetInt64(0), reader.GetInt64(1));
            }

            using var insert = InsertTurnCommand(connection, sessionId);
            SetTurn(insert, seq, (int)turnId, WithId(record, turnId), embedding);
            insert.Parameters["$turnKey"].Value = (object?)message.TurnKey ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return (int)turnId;
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
    public async Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var read = Command(
                connection,
                $"""
                SELECT "record", "embedding" FROM {_schema.Turns}
                WHERE "session_id" = $id AND EXISTS (SELECT 1 FROM {_schema.Sessions} WHERE "session_id" = $id AND "expires_at" > $now)
                ORDER BY "seq" DESC LIMIT $count
                """,
                sessionId,
                Now());
            read.Parameters.AddWithValue("$count", count);
            return await ReadTurnsAsync(read, sessionId, reverse: true, cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw Translate(e, sessionId);
        }
    }

    /// <inheritdoc />
    public async Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Dictionary<int, byte[]?>();
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            if (message.Id >= 1)
            {
                pending[message.Id] = EncodeEmbedding(message);
            }
        }

        if (pending.Count == 0)
        {
            return;
        }

        await WriteAsync(sessionId, async (connection, now) =>
        {
            using (var touch = Command(
                connection,
                $"""UPDATE {_schema.Sessions} SET "last_activity_at" = $now, "expires_at" = $expires WHERE "session_id" = $id AND "expires_at" > $now""",
                sessionId,
                now))
            {
                touch.Parameters.AddWithValue("$expires", now + _ttlTicks);
                if (await touch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    return 0;
                }
            }

            using var update = Command(
                connection,
                $"""UPDATE {_schema.Turns} SET "embedding" = $embedding WHERE "session_id" = $id AND "turn_id" = $turnId""",
                sessionId,
                now);
            var embeddingParameter = update.Parameters.Add("$embedding", SqliteType.Blob);
            var turnIdParameter = update.Parameters.Add("$turnId", SqliteType.Integer);
            foreach (var (turnId, embedding) in pending)
            {
                embeddingParameter.Value = (object?)embedding ?? DBNull.Value;
                turnIdParameter.Value = turnId;
                await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes at most <paramref name="batchSize"/> expired sessions with their turns, in one short transaction. The cleanup
    /// service calls it until a batch comes back short; applications without a host can call it themselves.
    /// </summary>
    /// <param name="batchSize">How many sessions to delete at most; must be positive.</param>
    /// <param name="cancellationToken">A token to cancel the delete.</param>
    /// <returns>How many sessions were deleted.</returns>
    /// <exception cref="SessionStoreUnavailableException">The database could not be opened or locked in time.</exception>
    public Task<int> DeleteExpiredSessionsAsync(int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        cancellationToken.ThrowIfCancellationRequested();
        return WriteAsync(sessionId: null, async (connection, now) =>
        {
            var expired = $"""SELECT "session_id" FROM {_schema.Sessions} WHERE "expires_at" <= $now ORDER BY "expires_at", "session_id" LIMIT $max""";
            using var delete = Command(
                connection,
                $"""
                DELETE FROM {_schema.Turns} WHERE "session_id" IN ({expired});
                DELETE FROM {_schema.Sessions} WHERE "session_id" IN ({expired});
                """,
                sessionId: null,
                now);
            delete.Parameters.AddWithValue("$max", batchSize);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            using var changes = connection.CreateCommand();
            changes.CommandText = "SELECT changes()";
            var removed = Convert.ToInt32(await changes.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            if (removed > 0)
            {
                Log.ExpiredSessionsRemoved(_logger, removed, _path);
            }

            return removed;
        }, cancellationToken);
    }

    /// <summary>Deletes at most <paramref name="maxSessions"/> expired sessions; see <see cref="DeleteExpiredSessionsAsync"/>.</summary>
    /// <param name="maxSessions">How many sessions to delete at most; must be positive.</param>
    /// <param name="cancellationToken">A token to cancel the delete.</param>
    /// <returns>How many sessions were deleted.</returns>
    [Obsolete("Use DeleteExpiredSessionsAsync.")]
    public Task<int> RemoveExpiredSessionsAsync(int maxSessions, CancellationToken cancellationToken = default) =>
        DeleteExpiredSessionsAsync(maxSessions, cancellationToken);

    /// <summary>Opens the database, creates or checks its schema, and reads its schema version.</summary>
    /// <param name="cancellationToken">A token to cancel the check.</param>
    /// <returns>How long the check took.</returns>
    /// <exception cref="SessionStoreUnavailableException">The database could not be opened or read in time.</exception>
    /// <exception cref="SessionStoreException">The schema is missing (and may not be created) or newer than this package.</exception>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var started = _timeProvider.GetTimestamp();
        try
        {
            using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var read = connection.CreateCommand();
            read.CommandText = $"""SELECT "version" FROM {_schema.SchemaTable} WHERE "id" = 1""";
            await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw Translate(e, sessionId: null);
        }

        return _timeProvider.GetElapsedTime(started);
    }

    /// <summary>Closes the idle connections of the store's file; connections in use close when their call ends.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeLock.Dispose();
        _schemaLock.Dispose();
    }

    private async Task<T> WriteAsync<T>(string? sessionId, Func<SqliteConnection, long, Task<T>> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        // Writers of this store queue here, without polling; SQLite's busy timeout only arbitrates between processes.
        if (!await _writeLock.WaitAsync(_timeout, cancellationToken).ConfigureAwait(false))
        {
            throw Unavailable(
                string.Create(CultureInfo.InvariantCulture, $"was busy: earlier writes of this process did not finish within {_timeout.TotalSeconds:0.###} s"),
                sessionId,
                innerException: null);
        }

        try
        {
            using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the write lock first
            var result = await write(connection, Now()).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (SqliteException e)
        {
            throw Translate(e, sessionId);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using (var pragmas = connection.CreateCommand())
            {
                pragmas.CommandText = _openPragmas;
                await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!_schemaReady)
            {
                await EnsureSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task EnsureSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            if (_createSchema)
            {
                using var wal = connection.CreateCommand();
                wal.CommandText = "PRAGMA journal_mode = WAL";
                await wal.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }

            var version = await ReadSchemaVersionAsync(connection, cancellationToken).ConfigureAwait(false);
            if (version < SqliteSchema.CurrentVersion)
            {
                if (!_createSchema)
                {
                    throw new SessionStoreException(
                        version == 0
                            ? $"The SQLite session database {_path} has no session tables (table prefix '{TablePrefix}'), and Dexter:Sessions:Sqlite:CreateSchema is false. " +
                              "Apply the DDL of the Dexter.Sessions.Sqlite README, or set CreateSchema to true."
                            : $"The SQLite session database {_path} has schema version {version}; this package needs version {SqliteSchema.CurrentVersion}, and " +
                              "Dexter:Sessions:Sqlite:CreateSchema is false. Apply the migration DDL of the Dexter.Sessions.Sqlite README, or set CreateSchema to true.");
                }

                await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            else if (version > SqliteSchema.CurrentVersion)
            {
                throw new SessionStoreException(
                    $"The SQLite session database {_path} has schema version {version}, written by a newer version of Dexter.Sessions.Sqlite; this version " +
                    $"knows schema versions up to {SqliteSchema.CurrentVersion}. Upgrade the Dexter.Sessions.Sqlite package.");
            }

            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    private async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var transaction = connection.BeginTransaction(deferred: false);

        // Read again under the write lock: another process may have created or upgraded the schema meanwhile.
        var version = await ReadSchemaVersionAsync(connection, cancellationToken).ConfigureAwait(false);
        if (version >= SqliteSchema.CurrentVersion)
        {
            return;
        }

        for (var step = (int)version; step < SqliteSchema.CurrentVersion; step++)
        {
            using var migrate = connection.CreateCommand();
            migrate.CommandText = _schema.Migrations[step];
            await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var record = connection.CreateCommand())
        {
            record.CommandText = $"""INSERT INTO {_schema.SchemaTable} ("id", "version") VALUES (1, $version) ON CONFLICT ("id") DO UPDATE SET "version" = $version""";
            record.Parameters.AddWithValue("$version", SqliteSchema.CurrentVersion);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Log.SchemaCreated(_logger, _path, version, SqliteSchema.CurrentVersion);
    }

    private async Task<long> ReadSchemaVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $name";
        exists.Parameters.AddWithValue("$name", _schema.SchemaTableName);
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            return 0;
        }

        using var read = connection.CreateCommand();
        read.CommandText = $"""SELECT "version" FROM {_schema.SchemaTable} WHERE "id" = 1""";
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : 0;
    }

    private string TablePrefix => _schema.SchemaTableName[..^"schema".Length];

    private static SqliteCommand Command(SqliteConnection connection, string sql, string? sessionId, long now)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        if (sessionId is not null)
        {
            command.Parameters.AddWithValue("$id", sessionId);
        }

        command.Parameters.AddWithValue("$now", now);
        return command;
    }

    private SqliteCommand InsertTurnCommand(SqliteConnection connection, string sessionId)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"""INSERT INTO {_schema.Turns} ("session_id", "seq", "turn_id", "record", "embedding", "turn_key") VALUES ($id, $seq, $turnId, $record, $embedding, $turnKey)""";
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.Add("$seq", SqliteType.Integer);
        command.Parameters.Add("$turnId", SqliteType.Integer);
        command.Parameters.Add("$record", SqliteType.Text);
        command.Parameters.Add("$embedding", SqliteType.Blob);
        command.Parameters.Add("$turnKey", SqliteType.Text).Value = DBNull.Value;
        return command;
    }

    private static void SetTurn(SqliteCommand insert, long seq, int turnId, string record, byte[]? embedding)
    {
        insert.Parameters["$seq"].Value = seq;
        insert.Parameters["$turnId"].Value = turnId;
        insert.Parameters["$record"].Value = record;
        insert.Parameters["$embedding"].Value = (object?)embedding ?? DBNull.Value;
    }

    private async Task<List<Message>> ReadTurnsAsync(SqliteCommand read, string sessionId, bool reverse, CancellationToken cancellationToken)
    {
        var turns = new List<Message>();
        using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var record = reader.GetFieldValue<byte[]>(0);
            if (!TurnRecordSerializer.TryDeserialize(record, out var turn, out var problem))
            {
                throw CorruptRecord(sessionId, record, problem);
            }

            if (!reader.IsDBNull(1))
            {
                var bytes = reader.GetFieldValue<byte[]>(1);
                if (bytes.Length % sizeof(float) != 0)
                {
                    throw Corrupt(sessionId, $"the embedding of turn {turn.Id} is not a whole number of float32 values");
                }

                turn = turn with { Embedding = TurnRecordSerializer.DecodeEmbedding(bytes) };
            }

            turns.Add(turn);
        }

        if (reverse)
        {
            turns.Reverse();
        }

        return turns;
    }

    private static byte[] SerializeWithoutEmbedding(Message message, int id) =>
        TurnRecordSerializer.Serialize(message.Embedding.IsEmpty ? message : message with { Embedding = ReadOnlyMemory<float>.Empty }, id);

    private static byte[]? EncodeEmbedding(Message message) =>
        message.Embedding.IsEmpty ? null : TurnRecordSerializer.EncodeEmbedding(message.Embedding.Span);

    /// <summary>Puts <c>"id":N,</c> in front of a record serialized with id 0 (which starts with <c>{"v":</c>).</summary>
    private static string WithId(byte[] record, long id) =>
        string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{id},") + Encoding.UTF8.GetString(record.AsSpan(1));

    private long Now() => _timeProvider.GetUtcNow().UtcTicks;

    private SessionStoreException Corrupt(string sessionId, string problem)
    {
        Log.CorruptRecord(_logger, sessionId, problem);
        return new SessionStoreException(
            $"The session '{sessionId}' in the SQLite database {_path} cannot be read: {problem}. " +
            "Other sessions are not affected; delete this session (DeleteAsync) to start it again.",
            sessionId,
            innerException: null);
    }

    private SessionStoreException CorruptRecord(string sessionId, ReadOnlySpan<byte> record, string problem)
    {
        Log.CorruptRecord(_logger, sessionId, "a turn record cannot be read: " + problem);
        return TurnRecordSerializer.UnreadableRecordException(record, sessionId, $"in the SQLite database {_path}", problem);
    }

    private SessionStoreException Translate(SqliteException e, string? sessionId)
    {
        // Whatever failed, the schema is checked again on the next call: the file may have been replaced.
        _schemaReady = false;
        var reason = (e.SqliteErrorCode & 0xFF) switch
        {
            5 or 6 => string.Create(CultureInfo.InvariantCulture, $"was locked by another connection for longer than {_timeout.TotalSeconds:0.###} s"),
            14 => "could not be opened",
            3 or 8 or 23 => "cannot be written",
            10 or 11 or 13 or 15 or 26 => "could not be read or written",
            _ => null,
        };
        if (reason is null)
        {
            var about = sessionId is null ? string.Empty : $" for session '{sessionId}'";
            return new SessionStoreException($"The SQLite session database {_path} failed a command{about}: {ErrorMessage.FirstSentence(e.Message)}.", sessionId, e);
        }

        return Unavailable($"{reason} ({ErrorMessage.FirstSentence(e.Message)})", sessionId, e);
    }

    private SessionStoreUnavailableException Unavailable(string reason, string? sessionId, Exception? innerException)
    {
        Log.Unavailable(_logger, _path, innerException);
        return new SessionStoreUnavailableException($"The SQLite session database {_path} {reason}. {Hint}", _path, sessionId, innerException);
    }

}
