using System.Text;
using Dexter.Sessions.Redis.Tests.Infrastructure;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Tests;

/// <summary>What the Redis store does beyond the shared contract: key layout, records, expiry, corrupt data, ownership.</summary>
[TestFixture]
public sealed class RedisSessionStoreTests
{
    private RedisServer _server = null!;
    private ConnectionMultiplexer _redis = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await RedisServer.StartAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _redis.DisposeAsync();
        await _server.DisposeAsync();
    }

    private IDatabase Db => _redis.GetDatabase();

    private static Message Turn(string query) => new() { Query = query, Answer = "answer", CreatedAt = DateTimeOffset.UtcNow };

    [Test]
    public async Task AppendAsync_NewSession_WritesHashTaggedMetaAndTurnsKeysWithTheTtl()
    {
        var options = RedisStores.Options(_server.Endpoint, o => o.SessionTtl = TimeSpan.FromMinutes(10));
        await using var store = new RedisSessionStore(Options.Create(options));
        var id = SessionId.New();

        await store.AppendAsync(id, Turn("q1") with { Embedding = new float[] { 1.5f, -2f } });

        var meta = options.KeyPrefix + "{" + id + "}:meta";
        var turns = options.KeyPrefix + "{" + id + "}:turns";
        var record = (string)(await Db.ListGetByIndexAsync(turns, 0))!;
        Assert.Multiple(async () =>
        {
            Assert.That(await Db.KeyTypeAsync(meta), Is.EqualTo(RedisType.Hash));
            Assert.That(await Db.KeyTypeAsync(turns), Is.EqualTo(RedisType.List));
            Assert.That((await Db.KeyTimeToLiveAsync(meta))!.Value, Is.GreaterThan(TimeSpan.FromMinutes(9)).And.LessThanOrEqualTo(TimeSpan.FromMinutes(10)));
            Assert.That((await Db.KeyTimeToLiveAsync(turns))!.Value, Is.GreaterThan(TimeSpan.FromMinutes(9)).And.LessThanOrEqualTo(TimeSpan.FromMinutes(10)));
            Assert.That((long)await Db.HashGetAsync(meta, "last"), Is.EqualTo(1));
            Assert.That(record, Does.StartWith("{\"id\":1,\"v\":" + TurnRecordSerializer.CurrentVersion + ","));
            Assert.That(record, Does.Contain("\"embedding\":\"" + Convert.ToBase64String([0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0]) + "\""), "float32 little-endian, base64");
        });
    }

    [Test]
    public async Task AppendAsync_ManyTurns_KeepsEveryTurnInOrderAndReadsTheTailOnly()
    {
        await using var store = RedisStores.Create(_server.Endpoint);
        var id = SessionId.New();
        for (var i = 1; i <= 300; i++)
        {
            await store.AppendAsync(id, Turn("q" + i));
        }

        var recent = await store.GetRecentAsync(id, 3);
        var metadata = await store.GetMetadataAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(recent.Select(m => m.Query), Is.EqualTo(new[] { "q298", "q299", "q300" }));
            Assert.That(metadata!.TurnCount, Is.EqualTo(300));
        });
    }

    [Test]
    public async Task Writes_RefreshTheExpiry_AndASessionWithoutWritesExpires()
    {
        await using var store = RedisStores.Create(_server.Endpoint, o => o.SessionTtl = TimeSpan.FromMilliseconds(1500));
        var idle = SessionId.New();
        var busy = SessionId.New();
        await store.AppendAsync(idle, Turn("idle"));
        await store.AppendAsync(busy, Turn("busy 0"));
        var started = DateTime.UtcNow;

        // Write the busy session every 250 ms for twice the TTL; the idle one must expire meanwhile.
        var writes = 1;
        var idleExpired = false;
        while (DateTime.UtcNow - started < TimeSpan.FromMilliseconds(3000))
        {
            await Task.Delay(250);
            await store.AppendAsync(busy, Turn("busy " + writes++));
            idleExpired |= !await store.ExistsAsync(idle);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(idleExpired, Is.True, "the idle session expired");
            Assert.That(await store.GetAsync(idle), Is.Null);
            Assert.That(await store.ExistsAsync(busy), Is.True, "the written session lives on");
            Assert.That((await store.GetAsync(busy))!.Count, Is.EqualTo(writes));
        });
    }

    [Test]
    public async Task CreateAsync_SessionWithoutWrites_ExpiresAfterTheTtl()
    {
        await using var store = RedisStores.Create(_server.Endpoint, o => o.SessionTtl = TimeSpan.FromMilliseconds(500));
        var id = SessionId.New();
        await store.CreateAsync(id, "alice");

        var expired = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!expired && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            expired = !await store.ExistsAsync(id);
        }

        Assert.That(expired, Is.True);
    }

    [Test]
    public async Task GetAsync_CorruptRecord_ThrowsSessionStoreExceptionNamingTheSession_AndOtherSessionsWork()
    {
        var options = RedisStores.Options(_server.Endpoint);
        await using var store = new RedisSessionStore(Options.Create(options));
        var broken = SessionId.New();
        var healthy = SessionId.New();
        await store.AppendAsync(broken, Turn("b1"));
        await store.AppendAsync(broken, Turn("b2"));
        await store.AppendAsync(healthy, Turn("h1"));
        await Db.ListSetByIndexAsync(options.KeyPrefix + "{" + broken + "}:turns", 0, "{not json");

        var exception = Assert.ThrowsAsync<SessionStoreException>(() => store.GetAsync(broken));

        Assert.Multiple(async () =>
        {
            Assert.That(exception!.SessionId, Is.EqualTo(broken));
            Assert.That(exception.Message, Does.Contain(broken));
            Assert.That(exception, Is.Not.InstanceOf<SessionStoreUnavailableException>());
            Assert.That((await store.GetAsync(healthy))!.GetAll().Single().Query, Is.EqualTo("h1"));
            Assert.That((await store.GetRecentAsync(broken, 1)).Single().Query, Is.EqualTo("b2"), "the readable tail still reads");
            Assert.That((await store.AppendAsync(broken, Turn("b3"))).Id, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task GetAsync_RecordOfANewerFormat_ThrowsSessionStoreExceptionSayingSo()
    {
        var options = RedisStores.Options(_server.Endpoint);
        await using var store = new RedisSessionStore(Options.Create(options));
        var id = SessionId.New();
        await store.AppendAsync(id, Turn("q"));
        await Db.ListSetByIndexAsync(options.KeyPrefix + "{" + id + "}:turns", 0, "{\"id\":1,\"v\":99,\"query\":\"q\",\"answer\":\"a\"}");

        var exception = Assert.ThrowsAsync<SessionStoreException>(() => store.GetAsync(id));

        Assert.That(exception!.Message, Does.Contain(id).And.Contain("format version 99"));
    }

    [Test]
    public async Task AppendAsync_KeyOfTheWrongType_ThrowsSessionStoreExceptionNamingTheSession()
    {
        var options = RedisStores.Options(_server.Endpoint);
        await using var store = new RedisSessionStore(Options.Create(options));
        var id = SessionId.New();
        await Db.StringSetAsync(options.KeyPrefix + "{" + id + "}:meta", "not a hash");

        var exception = Assert.ThrowsAsync<SessionStoreException>(() => store.AppendAsync(id, Turn("q")));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.SessionId, Is.EqualTo(id));
            Assert.That(exception, Is.Not.InstanceOf<SessionStoreUnavailableException>());
        });
    }

    [Test]
    public async Task GetMetadataAsync_ReportsTimesFromTheTimeProvider()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        await using var store = new RedisSessionStore(Options.Create(RedisStores.Options(_server.Endpoint)), clock);
        var id = SessionId.New();
        await store.CreateAsync(id, "alice");
        clock.Advance(TimeSpan.FromMinutes(5));
        await store.AppendAsync(id, Turn("q"));

        var metadata = await store.GetMetadataAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(metadata!.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero)));
            Assert.That(metadata.LastActivityAt, Is.EqualTo(new DateTimeOffset(2026, 11, 24, 10, 5, 0, TimeSpan.Zero)));
            Assert.That(metadata.Owner, Is.EqualTo("alice"));
        });
    }

    [Test]
    public async Task UpdateEmbeddingsAsync_AfterSetWithIdsThatAreNotPositions_FindsTheTurnsById()
    {
        await using var store = RedisStores.Create(_server.Endpoint);
        var id = SessionId.New();
        await store.SetAsync(id, new MessageHistory([Turn("a") with { Id = 5 }, Turn("b") with { Id = 9 }]));

        await store.UpdateEmbeddingsAsync(id, [Turn("x") with { Id = 9, Embedding = new float[] { 7 } }]);
        var turns = (await store.GetAsync(id))!.GetAll();

        Assert.Multiple(async () =>
        {
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(new[] { 5, 9 }));
            Assert.That(turns[1].Embedding.ToArray(), Is.EqualTo(new float[] { 7 }));
            Assert.That(turns[0].Embedding.IsEmpty, Is.True);
            Assert.That((await store.AppendAsync(id, Turn("c"))).Id, Is.EqualTo(10));
        });
    }

    [Test]
    public async Task UpdateEmbeddingsAsync_ConcurrentWithAppends_KeepsEveryTurnAndEveryEmbedding()
    {
        await using var store = RedisStores.Create(_server.Endpoint);
        var id = SessionId.New();
        for (var i = 0; i < 50; i++)
        {
            await store.AppendAsync(id, Turn("q" + i));
        }

        var appends = Task.Run(async () =>
        {
            for (var i = 50; i < 150; i++)
            {
                await store.AppendAsync(id, Turn("q" + i));
            }
        });
        var updates = Enumerable.Range(1, 50).Select(turnId =>
            store.UpdateEmbeddingsAsync(id, [Turn("x") with { Id = turnId, Embedding = new float[] { turnId } }]));
        await Task.WhenAll(updates.Append(appends));
        var turns = (await store.GetAsync(id))!.GetAll();

        Assert.Multiple(() =>
        {
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, 150)));
            Assert.That(turns.Take(50).Select(t => t.Embedding.ToArray().Single()), Is.EqualTo(Enumerable.Range(1, 50).Select(i => (float)i)));
            Assert.That(turns.Skip(50).All(t => t.Embedding.IsEmpty), Is.True);
        });
    }

    [Test]
    public async Task Logging_UserContent_IsNeverLoggedAboveTrace()
    {
        var logger = new CollectingLogger<RedisSessionStore>();
        var options = RedisStores.Options(_server.Endpoint);
        await using (var store = new RedisSessionStore(Options.Create(options), logger: logger))
        {
            var id = SessionId.New();
            await store.AppendAsync(id, new Message { Query = "secret query", Answer = "secret answer", Summary = "secret summary" });
            await Db.ListSetByIndexAsync(options.KeyPrefix + "{" + id + "}:turns", 0, "{\"secret query\"");
            Assert.ThrowsAsync<SessionStoreException>(() => store.GetAsync(id));
        }

        Assert.Multiple(() =>
        {
            Assert.That(logger.Entries, Has.Some.Matches<LogEntry>(e => e.EventId.Id == 1301), "connected");
            Assert.That(logger.Entries, Has.Some.Matches<LogEntry>(e => e.EventId.Id == 1305), "corrupt record");
            Assert.That(logger.Entries.Where(e => e.Level > LogLevel.Trace).Select(e => e.Message), Has.None.Contains("secret"));
        });
    }

    [Test]
    public async Task Dispose_StoreOwnsTheConnection_ClosesIt_AndLaterCallsThrowObjectDisposed()
    {
        var store = RedisStores.Create(_server.Endpoint);
        await store.AppendAsync(SessionId.New(), Turn("q"));
        var clientsBefore = await ConnectedClientsAsync();

        store.Dispose();
        store.Dispose();
        await store.DisposeAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(() => store.ExistsAsync(SessionId.New()), Throws.InstanceOf<ObjectDisposedException>());
            Assert.That(await WaitForClientsAsync(c => c < clientsBefore), Is.LessThan(clientsBefore), "the store's connection is closed");
        });
    }

    [Test]
    public async Task Dispose_ConnectionFromTheApplication_IsLeftOpen()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint);
        var fromFactory = new RedisSessionStore(Options.Create(new RedisSessionStoreOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection),
        }));
        var direct = new RedisSessionStore(connection);
        await fromFactory.AppendAsync(SessionId.New(), Turn("q"));
        await direct.AppendAsync(SessionId.New(), Turn("q"));

        await fromFactory.DisposeAsync();
        direct.Dispose();

        Assert.Multiple(async () =>
        {
            Assert.That(connection.IsConnected, Is.True);
            Assert.That(await connection.GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        });
    }

    [Test]
    public void Constructor_NoServer_ThrowsArgumentExceptionNamingRedisUrl()
    {
        Assert.That(() => new RedisSessionStore(Options.Create(new RedisSessionStoreOptions())),
            Throws.ArgumentException.With.Message.Contains("REDIS_URL"));
    }

    [TestCase("pre{fix")]
    [TestCase("pre}fix")]
    public void Constructor_KeyPrefixWithBraces_ThrowsArgumentException(string prefix)
    {
        Assert.That(() => new RedisSessionStore(Options.Create(new RedisSessionStoreOptions { Configuration = "localhost", KeyPrefix = prefix })),
            Throws.ArgumentException.With.Message.Contains("KeyPrefix"));
    }

    [Test]
    public void Constructor_InvalidConfiguration_ThrowsArgumentExceptionNamingTheSetting()
    {
        Assert.That(() => new RedisSessionStore(Options.Create(new RedisSessionStoreOptions { Configuration = "redis://host:6379/zero" })),
            Throws.ArgumentException.With.Message.Contains("REDIS_URL").And.Message.Contains("database"));
    }

    private async Task<int> ConnectedClientsAsync()
    {
        var info = await _server.CliAsync("info", "clients");
        var line = info.Split('\n').Single(l => l.StartsWith("connected_clients:", StringComparison.Ordinal));
        return int.Parse(line["connected_clients:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture) - 1; // minus redis-cli itself
    }

    private async Task<int> WaitForClientsAsync(Func<int, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        var clients = await ConnectedClientsAsync();
        while (!condition(clients) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            clients = await ConnectedClientsAsync();
        }

        return clients;
    }
}
