using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dexter.Sessions.Shared;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis;

/// <summary>
/// An <see cref="ISessionStore"/> on Redis: sessions shared by every instance of an application and kept across restarts.
/// </summary>
/// <remarks>
/// <para>
/// A session is two keys with the same hash tag, so the store works on Redis Cluster: <c>{prefix}{sessionId}:meta</c>, a
/// hash (creation, last activity, owner, last turn id, rolling summary), and <c>{prefix}{sessionId}:turns</c>, a list of JSON records, one
/// per turn. Appending a turn is one Lua script, one round trip: it takes the next id, pushes the record and refreshes
/// the expiry of both keys, so concurrent writers in any number of processes never lose or duplicate a turn.
/// <see cref="GetRecentAsync"/> reads only the tail of the list.
/// </para>
/// <para>
/// Every write refreshes the expiry (<see cref="RedisSessionStoreOptions.SessionTtl"/>). When Redis cannot be reached, a
/// call fails within the configured timeout with <see cref="SessionStoreUnavailableException"/>; the store reconnects by
/// itself and the same instance works again once Redis is back. A record that cannot be read fails the call with a
/// <see cref="SessionStoreException"/> naming the session; other sessions are unaffected.
/// </para>
/// </remarks>
public sealed partial class RedisSessionStore : IPingableSessionStore, IDisposable, IAsyncDisposable
{
    private const string ServerHint =
        "Check REDIS_URL (or Dexter:Sessions:Redis:Configuration) and that redis-server is running and reachable; " +
        "the store reconnects by itself once Redis is back.";

    private const int MaxEmbeddingAttempts = 5;

    private readonly ConfigurationOptions? _configuration;
    private readonly Func<Task<IConnectionMultiplexer>>? _connectionFactory;
    private readonly string _keyPrefix;
    private readonly RedisValue _ttlMilliseconds;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connectionLock = new(1, 1);
    private volatile IConnectionMultiplexer? _connection;
    private bool _ownsConnection;
    private string _endpoint;
    private TimeSpan _timeout;
    private int _disposed;

    /// <summary>Initializes a store that connects to the server its options name, when it is first used.</summary>
    /// <param name="options">
    /// The options: <see cref="RedisSessionStoreOptions.ConnectionMultiplexerFactory"/>, <see cref="RedisSessionStoreOptions.ConfigurationOptions"/>
    /// or <see cref="RedisSessionStoreOptions.Configuration"/> names the server.
    /// </param>
    /// <param name="timeProvider">The clock for creation and activity times; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options name no server, or a setting is not valid.</exception>
    public RedisSessionStore(IOptions<RedisSessionStoreOptions> options, TimeProvider? timeProvider = null, ILogger<RedisSessionStore>? logger = null)
        : this(options, externalConnection: null, timeProvider, logger)
    {
    }

    /// <summary>Initializes a store on a connection the application owns; the store never closes it.</summary>
    /// <param name="connection">The connection to Redis.</param>
    /// <param name="options">The options (key prefix, expiry); the defaults when <see langword="null"/>. Server settings are not used.</param>
    /// <param name="timeProvider">The clock for creation and activity times; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A setting is not valid.</exception>
    public RedisSessionStore(IConnectionMultiplexer connection, IOptions<RedisSessionStoreOptions>? options = null, TimeProvider? timeProvider = null, ILogger<RedisSessionStore>? logger = null)
        : this(options ?? Options.Create(new RedisSessionStoreOptions()), connection ?? throw new ArgumentNullException(nameof(connection)), timeProvider, logger)
    {
    }

    private RedisSessionStore(IOptions<RedisSessionStoreOptions> options, IConnectionMultiplexer? externalConnection, TimeProvider? timeProvider, ILogger<RedisSessionStore>? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value ?? throw new ArgumentException("The options have no value.", nameof(options));
        var validation = new RedisSessionStoreOptionsValidator().Validate(Options.DefaultName, settings);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        _keyPrefix = settings.KeyPrefix + "{";
        _ttlMilliseconds = (long)Math.Ceiling(settings.SessionTtl.TotalMilliseconds);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;

        if (externalConnection is { } external)
        {
            _connection = external;
            (_endpoint, _timeout) = Describe(external);
        }
        else if (settings.ConnectionMultiplexerFactory is { } factory)
        {
            _connectionFactory = factory;
            _endpoint = "the server given by ConnectionMultiplexerFactory";
            _timeout = TimeSpan.FromMilliseconds(new ConfigurationOptions().AsyncTimeout);
        }
        else if (settings.HasServer)
        {
            _configuration = settings.ConfigurationOptions?.Clone()
                ?? RedisConfigurationParser.Parse(settings.Configuration!, RedisConfigurationParser.SettingName);
            _configuration.AbortOnConnectFail = false;
            if (settings.ConnectTimeout is { } connectTimeout)
            {
                _configuration.ConnectTimeout = (int)Math.Ceiling(connectTimeout.TotalMilliseconds);
            }

            // StackExchange.Redis notices a timed-out command on its heartbeat: its own timeout is set one heartbeat
            // shorter, so that a call fails within the operation timeout, not up to a heartbeat later.
            _timeout = settings.OperationTimeout ?? TimeSpan.FromMilliseconds(_configuration.AsyncTimeout);
            var heartbeat = TimeSpan.FromMilliseconds(Math.Clamp(_timeout.TotalMilliseconds / 5, 100, 1000));
            _configuration.HeartbeatInterval = heartbeat;
            _configuration.AsyncTimeout = (int)Math.Max(1, (_timeout - heartbeat).TotalMilliseconds);
            _configuration.SyncTimeout = _configuration.AsyncTimeout;
            _endpoint = Describe(_configuration.EndPoints);
        }
        else
        {
            throw new ArgumentException(
                "The Redis session store needs a server: set REDIS_URL (redis://host:6379/0) or Dexter:Sessions:Redis:Configuration, " +
                "or give RedisSessionStoreOptions.Configuration, ConfigurationOptions or ConnectionMultiplexerFactory.",
                nameof(options));
        }
    }

    /// <summary>Gets the server the store talks to, as named in error messages.</summary>
    public string Endpoint => _endpoint;

    /// <inheritdoc />
    string IPingableSessionStore.Description => "Redis at " + _endpoint;

    /// <inheritdoc />
    public async Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        RedisResult result;
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            result = await database.ScriptEvaluateAsync(RedisScripts.Get, Keys(sessionId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        if (result.IsNull)
        {
            return null;
        }

        return new MessageHistory(Deserialize(sessionId, (RedisValue[])result!), timeProvider: _timeProvider);
    }

    /// <inheritdoc />
    public async Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(history);
        cancellationToken.ThrowIfCancellationRequested();
        var turns = history.GetAll();
        var values = new RedisValue[3 + turns.Count];
        var now = Now();
        values[0] = now;
        values[1] = _ttlMilliseconds;
        values[2] = turns.Count == 0 ? 0 : turns.Max(t => t.Id);
        for (var i = 0; i < turns.Count; i++)
        {
            values[3 + i] = Serialize(turns[i], turns[i].Id);
        }

        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            await WriteAndIndexAsync(database, sessionId, now, database.ScriptEvaluateAsync(RedisScripts.Set, Keys(sessionId), values)).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            return await database.KeyDeleteAsync(Keys(sessionId)).ConfigureAwait(false) > 0;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            return await database.KeyExistsAsync(MetaKey(sessionId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }
    }

    /// <inheritdoc />
    public async Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        var now = Now();
        RedisValue[] values = owner is null ? [now, _ttlMilliseconds] : [now, _ttlMilliseconds, owner];
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            var created = (long)await database.ScriptEvaluateAsync(RedisScripts.Create, [MetaKey(sessionId)], values).ConfigureAwait(false) == 1;
            if (created && owner is not null)
            {
                await IndexAsync(database, owner, sessionId, now).ConfigureAwait(false);
            }

            return created;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }
    }

    /// <inheritdoc />
    public async Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        RedisResult result;
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            result = await database.ScriptEvaluateAsync(RedisConversationScripts.Metadata, Keys(sessionId)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        return ReadMetadata(sessionId, result);
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
        var record = Serialize(message, id: 0);
        if (message.TurnKey is not null)
        {
            return await AppendKeyedAsync(sessionId, message, record, mustExist, cancellationToken).ConfigureAwait(false);
        }

        RedisResult result;
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            var now = Now();
            result = await database.ScriptEvaluateAsync(RedisScripts.Append, Keys(sessionId), [now, _ttlMilliseconds, record, mustExist ? 1 : 0]).ConfigureAwait(false);
            if (result.Length == 2 && !result[1].IsNull)
            {
                // An owned session: raise it in its owner's index (another hash slot, so another command).
                await IndexAsync(database, (string)result[1]!, sessionId, now).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        var id = (int)result[0];
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
        RedisValue[] records;
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            records = await database.ListRangeAsync(TurnsKey(sessionId), -count, -1).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        return Deserialize(sessionId, records);
    }

    /// <inheritdoc />
    public async Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        if (messages.Count == 0)
        {
            return;
        }

        var pending = new Dictionary<int, ReadOnlyMemory<float>>();
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            if (message.Id >= 1)
            {
                pending[message.Id] = message.Embedding;
            }
        }

        if (pending.Count == 0)
        {
            return;
        }

        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            var keys = Keys(sessionId);

            // Records change only here and in SetAsync. Each round replaces the records that still are as they were read;
            // a record replaced meanwhile is read again, a few times at most.
            for (var attempt = 0; attempt < MaxEmbeddingAttempts; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var now = Now();
                var values = new List<RedisValue> { now, _ttlMilliseconds };
                foreach (var (index, id, current, turn) in await FindRecordsAsync(database, keys, sessionId, pending.Keys).ConfigureAwait(false))
                {
                    if (!turn.Embedding.Span.SequenceEqual(pending[id].Span))
                    {
                        values.Add(index);
                        values.Add(current);
                        values.Add(Serialize(turn with { Embedding = pending[id] }, id));
                    }
                }

                if (values.Count == 2)
                {
                    return;
                }

                var missed = (long)await WriteAndIndexAsync(database, sessionId, now, database.ScriptEvaluateAsync(RedisScripts.ReplaceIfUnchanged, keys, [.. values])).ConfigureAwait(false);
                if (missed <= 0)
                {
                    return;
                }

                Log.EmbeddingUpdateRetried(_logger, missed);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }

        throw new SessionStoreException(
            $"The embeddings of session '{sessionId}' could not be stored: its turns kept changing during {MaxEmbeddingAttempts} attempts. Try again.",
            sessionId,
            innerException: null);
    }

    /// <summary>Sends PING to Redis.</summary>
    /// <param name="cancellationToken">A token to cancel the wait.</param>
    /// <returns>The round-trip time.</returns>
    /// <exception cref="SessionStoreUnavailableException">Redis did not answer in time.</exception>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var database = await GetDatabaseAsync(sessionId: null).ConfigureAwait(false);
            return await database.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId: null);
        }
    }

    /// <summary>Closes the connection when the store opened it; a connection from the application is left open.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var connection = ReleaseConnection();
        connection?.Dispose();
        _connectionLock.Dispose();
    }

    /// <summary>Closes the connection when the store opened it; a connection from the application is left open.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var connection = ReleaseConnection();
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connectionLock.Dispose();
    }

    private IConnectionMultiplexer? ReleaseConnection()
    {
        var connection = _connection;
        _connection = null;
        if (connection is null || !_ownsConnection)
        {
            return null;
        }

        connection.ConnectionFailed -= OnConnectionFailed;
        connection.ConnectionRestored -= OnConnectionRestored;
        return connection;
    }

    /// <summary>The store's connection, opened when needed: the rate limits of <c>UseRedisRateLimits()</c> share it.</summary>
    internal async ValueTask<IConnectionMultiplexer> GetConnectionAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _connection ?? await ConnectAsync(sessionId: null).ConfigureAwait(false);
    }

    private async ValueTask<IDatabase> GetDatabaseAsync(string? sessionId)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return (_connection ?? await ConnectAsync(sessionId).ConfigureAwait(false)).GetDatabase();
    }

    private async Task<IConnectionMultiplexer> ConnectAsync(string? sessionId)
    {
        await _connectionLock.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_connection is { } existing)
            {
                return existing;
            }

            Log.Connecting(_logger, _endpoint);
            IConnectionMultiplexer connection;
            if (_connectionFactory is not null)
            {
                connection = await _connectionFactory().ConfigureAwait(false)
                    ?? throw new InvalidOperationException("RedisSessionStoreOptions.ConnectionMultiplexerFactory returned null; it must return a connection.");
                (_endpoint, _timeout) = Describe(connection);
            }
            else
            {
                connection = await ConnectionMultiplexer.ConnectAsync(_configuration!).ConfigureAwait(false);
                _ownsConnection = true;
                connection.ConnectionFailed += OnConnectionFailed;
                connection.ConnectionRestored += OnConnectionRestored;
            }

            _connection = connection;
            if (!connection.IsConnected)
            {
                // The connection keeps trying in the background; later calls wait at most the operation timeout.
                throw Unavailable("could not be reached within the connect timeout", sessionId, innerException: null);
            }

            Log.Connected(_logger, _endpoint);
            return connection;
        }
        finally
        {
            _connectionLock.Release();
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        Log.ConnectionFailed(_logger, Describe(e.EndPoint), e.FailureType, e.Exception);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) =>
        Log.ConnectionRestored(_logger, Describe(e.EndPoint));

    private async Task<List<(int Index, int Id, RedisValue Current, Message Turn)>> FindRecordsAsync(
        IDatabase database, RedisKey[] keys, string sessionId, IEnumerable<int> ids)
    {
        // Ids are positions (the n-th turn has id n) unless SetAsync stored other ids: look there first, then search.
        var wanted = ids.ToArray();
        var positions = wanted.Select(id => (RedisValue)(id - 1)).ToArray();
        var atPositions = (RedisValue[])(await database.ScriptEvaluateAsync(RedisScripts.ReadAt, keys, positions).ConfigureAwait(false))!;
        var found = new List<(int, int, RedisValue, Message)>(wanted.Length);
        var missing = new HashSet<int>();
        for (var i = 0; i < wanted.Length; i++)
        {
            if (!atPositions[i].IsNull && Deserialize(sessionId, atPositions[i]) is { } turn && turn.Id == wanted[i])
            {
                found.Add((wanted[i] - 1, wanted[i], atPositions[i], turn));
            }
            else
            {
                missing.Add(wanted[i]);
            }
        }

        if (missing.Count > 0)
        {
            var all = await database.ListRangeAsync(keys[1]).ConfigureAwait(false);
            for (var index = 0; index < all.Length && missing.Count > 0; index++)
            {
                var turn = Deserialize(sessionId, all[index]);
                if (missing.Remove(turn.Id))
                {
                    found.Add((index, turn.Id, all[index], turn));
                }
            }
        }

        return found;
    }

    private RedisKey MetaKey(string sessionId) => _keyPrefix + sessionId + "}:meta";

    private RedisKey TurnsKey(string sessionId) => _keyPrefix + sessionId + "}:turns";

    private RedisKey[] Keys(string sessionId) => [MetaKey(sessionId), TurnsKey(sessionId)];

    private long Now() => _timeProvider.GetUtcNow().UtcTicks;

    private static byte[] Serialize(Message message, int id) => TurnRecordSerializer.Serialize(message, id);

    private Message[] Deserialize(string sessionId, RedisValue[] records)
    {
        var messages = new Message[records.Length];
        for (var i = 0; i < records.Length; i++)
        {
            messages[i] = Deserialize(sessionId, records[i]);
        }

        return messages;
    }

    private Message Deserialize(string sessionId, RedisValue record) =>
        TurnRecordSerializer.TryDeserialize((byte[])record!, out var message, out var problem)
            ? message
            : throw CorruptRecord(sessionId, (byte[])record!, problem);

    private SessionStoreException Corrupt(string sessionId, string problem, Exception? cause)
    {
        Log.CorruptRecord(_logger, sessionId, problem);
        return new SessionStoreException(
            $"The session '{sessionId}' in Redis at {_endpoint} cannot be read: {problem}. " +
            "Other sessions are not affected; delete this session (DeleteAsync) to start it again.",
            sessionId,
            cause);
    }

    private SessionStoreException CorruptRecord(string sessionId, ReadOnlySpan<byte> record, string problem)
    {
        Log.CorruptRecord(_logger, sessionId, "a turn record cannot be read: " + problem);
        return TurnRecordSerializer.UnreadableRecordException(record, sessionId, $"in Redis at {_endpoint}", problem);
    }

    internal static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or SocketException;

    internal SessionStoreException Translate(Exception e, string? sessionId)
    {
        var unavailable = e is RedisConnectionException or TimeoutException or SocketException ||
            (e is RedisServerException && e.Message.StartsWith("LOADING", StringComparison.Ordinal)) ||
            (e is RedisServerException && e.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)) ||
            (e is RedisServerException && e.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)) ||
            (e is RedisServerException && e.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal));
        if (unavailable)
        {
            var reason = e is TimeoutException
                ? string.Create(CultureInfo.InvariantCulture, $"did not answer within {_timeout.TotalSeconds:0.###} s")
                : "could not be reached";
            return Unavailable($"{reason} ({ErrorMessage.FirstSentence(e.Message)})", sessionId, e);
        }

        var about = sessionId is null ? string.Empty : $" for session '{sessionId}'";
        return new SessionStoreException($"Redis at {_endpoint} failed a command{about}: {ErrorMessage.FirstSentence(e.Message)}.", sessionId, e);
    }

    private SessionStoreUnavailableException Unavailable(string reason, string? sessionId, Exception? innerException)
    {
        Log.Unavailable(_logger, _endpoint, innerException);
        return new SessionStoreUnavailableException($"Redis at {_endpoint} {reason}. {ServerHint}", _endpoint, sessionId, innerException);
    }

    private static bool TryReadTime(RedisValue value, out DateTimeOffset time)
    {
        if (value.TryParse(out long ticks) && ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks)
        {
            time = new DateTimeOffset(ticks, TimeSpan.Zero);
            return true;
        }

        time = default;
        return false;
    }

    private static (string Endpoint, TimeSpan Timeout) Describe(IConnectionMultiplexer connection) =>
        (Describe(connection.GetEndPoints(configuredOnly: true)), TimeSpan.FromMilliseconds(connection.TimeoutMilliseconds));

    private static string Describe(IEnumerable<EndPoint> endpoints)
    {
        var text = string.Join(", ", endpoints.Select(Describe));
        return text.Length == 0 ? "(no endpoint)" : text;
    }

    private static string Describe(EndPoint? endpoint) => endpoint switch
    {
        DnsEndPoint dns => dns.Host + ":" + dns.Port.ToString(CultureInfo.InvariantCulture),
        IPEndPoint ip => ip.ToString(),
        null => "(unknown endpoint)",
        _ => endpoint.ToString() ?? "(unknown endpoint)",
    };
}
