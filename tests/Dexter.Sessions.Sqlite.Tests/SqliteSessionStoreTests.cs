using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Sqlite.Tests;

[TestFixture]
public sealed class SqliteSessionStoreTests
{
    private TemporaryDatabase _database = null!;
    private FakeTimeProvider _clock = null!;

    [SetUp]
    public void CreateDatabase()
    {
        _database = new TemporaryDatabase();
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void DeleteDatabase() => _database.Dispose();

    private static Message Turn(string query, float[]? embedding = null) =>
        new() { Query = query, Answer = "answer", CreatedAt = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero), Embedding = embedding ?? [] };

    [Test]
    public async Task FirstUse_EmptyFile_CreatesTheVersionedSchemaInWalMode()
    {
        using var store = _database.Store(_clock);

        await store.AppendAsync("s1", Turn("q"));

        Assert.Multiple(async () =>
        {
            Assert.That(await _database.ExecuteAsync("SELECT version FROM dexter_schema WHERE id = 1"), Is.EqualTo((long)SqliteSchema.CurrentVersion));
            Assert.That(await _database.ExecuteAsync("PRAGMA journal_mode"), Is.EqualTo("wal"));
            Assert.That(await _database.ExecuteAsync("SELECT count(*) FROM sqlite_master WHERE name IN ('dexter_sessions', 'dexter_turns')"), Is.EqualTo(2L));
        });
    }

    [Test]
    public async Task TablePrefix_NamesEveryTable()
    {
        using var store = _database.Store(_clock, o => o.TablePrefix = "app_");

        await store.AppendAsync("s1", Turn("q"));

        Assert.Multiple(async () =>
        {
            Assert.That(await _database.ExecuteAsync("SELECT count(*) FROM app_turns"), Is.EqualTo(1L));
            Assert.That(await _database.ExecuteAsync("SELECT count(*) FROM sqlite_master WHERE name LIKE 'dexter%'"), Is.EqualTo(0L));
        });
    }

    [Test]
    public async Task NewerSchemaVersion_FailsWithAnErrorThatSaysToUpgrade()
    {
        using (var store = _database.Store(_clock))
        {
            await store.PingAsync();
        }

        await _database.ExecuteAsync("UPDATE dexter_schema SET version = 99");
        using var newer = _database.Store(_clock);

        var error = Assert.ThrowsAsync<SessionStoreException>(() => newer.GetAsync("s1"))!;
        Assert.That(error.Message, Does.Contain("schema version 99").And.Contain("Upgrade the Dexter.Sessions.Sqlite package").And.Contain(_database.Path));
    }

    [Test]
    public async Task CreateSchemaFalse_EmptyDatabase_CreatesNothingAndSaysWhatToDo()
    {
        await _database.ExecuteAsync("CREATE TABLE other (x INTEGER)");
        using var store = _database.Store(_clock, o => o.CreateSchema = false);

        var error = Assert.ThrowsAsync<SessionStoreException>(() => store.AppendAsync("s1", Turn("q")))!;

        Assert.Multiple(async () =>
        {
            Assert.That(error.Message, Does.Contain("CreateSchema is false").And.Contain("README"));
            Assert.That(await _database.ExecuteAsync("SELECT count(*) FROM sqlite_master WHERE name LIKE 'dexter%'"), Is.EqualTo(0L));
        });
    }

    [Test]
    public async Task CreateSchemaFalse_SchemaAppliedFromTheReadme_Works()
    {
        await _database.ExecuteAsync(
            string.Concat(new SqliteSchema("dexter_").Migrations) + $"INSERT INTO dexter_schema (id, version) VALUES (1, {SqliteSchema.CurrentVersion});");
        using var store = _database.Store(_clock, o => o.CreateSchema = false);

        var turn = await store.AppendAsync("s1", Turn("q"));

        Assert.That(turn.Id, Is.EqualTo(1));
    }

    [Test]
    public async Task FirstUse_Version1Database_MigratesForwardKeepingSessionsAndAddsTheSummary()
    {
        var schema = new SqliteSchema("dexter_");
        await _database.ExecuteAsync(schema.Migrations[0] + "INSERT INTO dexter_schema (id, version) VALUES (1, 1);");
        var expires = _clock.GetUtcNow().AddHours(1).UtcTicks;
        var now = _clock.GetUtcNow().UtcTicks;
        await _database.ExecuteAsync(
            "INSERT INTO dexter_sessions (session_id, owner, created_at, last_activity_at, expires_at, last_id, last_seq, turn_count) " +
            $"VALUES ('old', 'alice', {now}, {now}, {expires}, 0, 0, 0);");
        using var store = _database.Store(_clock);

        var before = await store.GetSummaryAsync("old");
        var stored = await store.TrySetSummaryAsync("old", new SessionSummary("s", 1, _clock.GetUtcNow()), 0);

        Assert.Multiple(async () =>
        {
            Assert.That(await _database.ExecuteAsync("SELECT version FROM dexter_schema WHERE id = 1"), Is.EqualTo((long)SqliteSchema.CurrentVersion));
            Assert.That((await store.GetMetadataAsync("old"))?.Owner, Is.EqualTo("alice"));
            Assert.That(before, Is.Null);
            Assert.That(stored, Is.True);
            Assert.That((await store.GetSummaryAsync("old"))?.Text, Is.EqualTo("s"));
        });
    }

    [Test]
    public async Task Readme_DdlIsTheSchemaOfTheCurrentVersion()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(TestContext.CurrentContext.TestDirectory, "README.md"));

        Assert.Multiple(() =>
        {
            foreach (var step in new SqliteSchema("dexter_").Migrations)
            {
                Assert.That(Normalize(readme), Does.Contain(Normalize(step)));
            }

            Assert.That(readme, Does.Contain($"VALUES (1, {SqliteSchema.CurrentVersion});"));
        });

        static string Normalize(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
    }

    [Test]
    public async Task GetRecentAsync_ManyTurns_ReturnsTheLatestInOrderWithBinaryEmbeddings()
    {
        using var store = _database.Store(_clock);
        for (var i = 1; i <= 50; i++)
        {
            await store.AppendAsync("s1", Turn("q" + i, [i, -i]));
        }

        var recent = await store.GetRecentAsync("s1", 3);

        Assert.Multiple(async () =>
        {
            Assert.That(recent.Select(t => t.Id), Is.EqualTo(new[] { 48, 49, 50 }));
            Assert.That(recent[2].Embedding.ToArray(), Is.EqualTo(new float[] { 50, -50 }));
            Assert.That(await _database.ExecuteAsync("SELECT typeof(embedding) || ':' || length(embedding) FROM dexter_turns WHERE turn_id = 50"), Is.EqualTo("blob:8"));
            Assert.That(await _database.ExecuteAsync("SELECT instr(record, 'embedding') FROM dexter_turns WHERE turn_id = 50"), Is.EqualTo(0L), "the vector is kept once, in the BLOB");
        });
    }

    [Test]
    public async Task GetRecentAsync_QueryPlan_SeeksTheTurnsIndex()
    {
        using var store = _database.Store(_clock);
        await store.PingAsync();

        var plan = await _database.QueryPlanAsync("SELECT record, embedding FROM dexter_turns WHERE session_id = 'x' ORDER BY seq DESC LIMIT 10");

        Assert.That(plan, Does.Contain("USING PRIMARY KEY (session_id=?)").And.Not.Contain("TEMP B-TREE"));
    }

    [Test]
    public async Task DeleteExpiredSessionsAsync_DeletesExpiredSessionsInBatchesAndKeepsLiveOnes()
    {
        using var store = _database.Store(_clock, o => o.SessionTtl = TimeSpan.FromHours(1));
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync("old" + i, Turn("q"));
        }

        _clock.Advance(TimeSpan.FromMinutes(30));
        await store.AppendAsync("live", Turn("q"));
        _clock.Advance(TimeSpan.FromMinutes(45));

        var first = await store.DeleteExpiredSessionsAsync(2);
        var second = await store.DeleteExpiredSessionsAsync(2);
        var third = await store.DeleteExpiredSessionsAsync(2);
#pragma warning disable CS0618 // the former name still works
        var fourth = await store.RemoveExpiredSessionsAsync(2);
#pragma warning restore CS0618

        Assert.Multiple(async () =>
        {
            Assert.That(new[] { first, second, third, fourth }, Is.EqualTo(new[] { 2, 2, 1, 0 }));
            Assert.That(await _database.ExecuteAsync("SELECT group_concat(session_id) FROM dexter_sessions"), Is.EqualTo("live"));
            Assert.That(await _database.ExecuteAsync("SELECT count(*) FROM dexter_turns"), Is.EqualTo(1L));
            Assert.That(await store.ExistsAsync("live"), Is.True);
        });
    }

    [Test]
    public async Task ExpiredSession_IsInvisibleBeforeTheCleanupRuns()
    {
        using var store = _database.Store(_clock, o => o.SessionTtl = TimeSpan.FromHours(1));
        await store.AppendAsync("s1", Turn("q"));
        _clock.Advance(TimeSpan.FromHours(1));

        Assert.Multiple(async () =>
        {
            Assert.That(await store.GetRecentAsync("s1", 5), Is.Empty);
            Assert.That(await store.DeleteAsync("s1"), Is.False, "an expired session does not count as deleted");
            Assert.That(await _database.ExecuteAsync("SELECT count(*) FROM dexter_turns"), Is.EqualTo(0L));
        });
    }

    [Test]
    public async Task CleanupService_DeletesEveryExpiredSessionOnItsInterval()
    {
        var options = _database.Options(o =>
        {
            o.SessionTtl = TimeSpan.FromMinutes(10);
            o.CleanupInterval = TimeSpan.FromMinutes(1);
            o.CleanupBatchSize = 3;
        });
        using var store = new SqliteSessionStore(Microsoft.Extensions.Options.Options.Create(options), _clock);
        for (var i = 0; i < 7; i++)
        {
            await store.AppendAsync("s" + i, Turn("q"));
        }

        var services = new ServiceCollection()
            .AddSingleton<ISessionStore>(store)
            .AddSingleton(Microsoft.Extensions.Options.Options.Create(options))
            .BuildServiceProvider();
        using var service = new SqliteSessionCleanupService(services, _clock);
        await service.StartAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(10));

        // The service starts its timer on a thread of its own: let a minute pass at a time until a round has run.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await _database.ExecuteAsync("SELECT count(*) FROM dexter_sessions") is not 0L && DateTime.UtcNow < deadline)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(20);
        }

        await service.StopAsync(CancellationToken.None);
        Assert.That(await _database.ExecuteAsync("SELECT count(*) FROM dexter_sessions"), Is.EqualTo(0L));
    }

    [Test]
    public void Constructor_NoPath_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new SqliteSessionStore(Microsoft.Extensions.Options.Options.Create(new SqliteSessionStoreOptions())))!;

        Assert.That(error.Message, Does.Contain("Dexter:Sessions:Sqlite:Path").And.Contain("DEXTER_SQLITE_PATH"));
    }

    [TestCase("1abc")]
    [TestCase("a-b")]
    [TestCase("x\"; DROP TABLE t; --")]
    public void Constructor_InvalidTablePrefix_Throws(string prefix)
    {
        Assert.That(() => _database.Store(_clock, o => o.TablePrefix = prefix), Throws.ArgumentException.With.Message.Contain("TablePrefix"));
    }
}
