using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Sqlite.Tests;

/// <summary>The SQLite store's listing beyond the contract: its index and the migration of an older database.</summary>
[TestFixture]
public sealed class SqliteSessionStoreConversationsTests
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

    [Test]
    public async Task FirstUse_Version2Database_MigratesForward_ListsItsSessionsAndTitlesThem()
    {
        // Version 2 goes through both later steps: titles and listing (3), then the lifecycle (4).
        var schema = new SqliteSchema("dexter_");
        await _database.ExecuteAsync(schema.Migrations[0] + schema.Migrations[1] + "INSERT INTO dexter_schema (id, version) VALUES (1, 2);");
        var now = _clock.GetUtcNow().UtcTicks;
        var expires = _clock.GetUtcNow().AddHours(1).UtcTicks;
        await _database.ExecuteAsync(
            "INSERT INTO dexter_sessions (session_id, owner, created_at, last_activity_at, expires_at, last_id, last_seq, turn_count) " +
            $"VALUES ('older', 'alice', {now - 10}, {now - 10}, {expires}, 0, 0, 0), ('newer', 'alice', {now}, {now}, {expires}, 0, 0, 0);");
        using var store = _database.Store(_clock);

        var listed = await store.ListSessionsAsync("alice");
        var titled = await store.SetTitleAsync("older", "Kept from before");

        Assert.Multiple(async () =>
        {
            Assert.That(await _database.ExecuteAsync("SELECT version FROM dexter_schema WHERE id = 1"), Is.EqualTo((long)SqliteSchema.CurrentVersion));
            Assert.That(listed.Sessions.Select(s => s.SessionId), Is.EqualTo(new[] { "newer", "older" }));
            Assert.That(listed.Sessions.Select(s => s.Title), Is.All.Null);
            Assert.That(titled, Is.True);
            Assert.That((await store.GetMetadataAsync("older"))?.Title, Is.EqualTo("Kept from before"));
        });
    }

    [Test]
    public async Task FirstUse_Version3Database_MigratesToTheLifecycleSchema_KeepingTitles()
    {
        var schema = new SqliteSchema("dexter_");
        await _database.ExecuteAsync(schema.Migrations[0] + schema.Migrations[1] + schema.Migrations[2] + "INSERT INTO dexter_schema (id, version) VALUES (1, 3);");
        var now = _clock.GetUtcNow().UtcTicks;
        var expires = _clock.GetUtcNow().AddHours(1).UtcTicks;
        await _database.ExecuteAsync(
            "INSERT INTO dexter_sessions (session_id, owner, created_at, last_activity_at, expires_at, last_id, last_seq, turn_count, title, title_source) " +
            $"VALUES ('titled', 'alice', {now}, {now}, {expires}, 0, 0, 0, 'Kept', 3);");
        using var store = _database.Store(_clock);

        var forked = await store.ForkAsync("titled", 0, "fork");
        var keyed = await store.AppendAsync("fork", new Message { Query = "q", Answer = "a", CreatedAt = _clock.GetUtcNow(), TurnKey = "k1" });

        Assert.Multiple(async () =>
        {
            Assert.That(SqliteSchema.CurrentVersion, Is.EqualTo(4));
            Assert.That(await _database.ExecuteAsync("SELECT version FROM dexter_schema WHERE id = 1"), Is.EqualTo(4L));
            Assert.That((await store.GetMetadataAsync("titled"))?.Title, Is.EqualTo("Kept"));
            Assert.That((forked?.Title, forked?.ForkedFromSessionId), Is.EqualTo(("Kept", "titled")));
            Assert.That((await store.GetTurnByKeyAsync("fork", "k1"))?.Id, Is.EqualTo(keyed.Id));
            Assert.That((await store.ListSessionsAsync("alice")).Sessions.Select(s => s.SessionId), Is.EquivalentTo(new[] { "titled", "fork" }));
        });
    }

    [Test]
    public async Task ListSessionsAsync_ReadsTheOwnerIndex_NotEverySession()
    {
        using var store = _database.Store(_clock);
        await store.CreateAsync("s1", "alice");

        var plan = await _database.QueryPlanAsync(
            "SELECT session_id FROM dexter_sessions WHERE owner = 'alice' AND expires_at > 0 AND (last_activity_at, session_id) < (5, 'x') " +
            "ORDER BY last_activity_at DESC, session_id DESC LIMIT 51");

        Assert.That(plan, Does.Contain("USING INDEX dexter_sessions_owner_activity").And.Not.Contain("TEMP B-TREE"));
    }
}
