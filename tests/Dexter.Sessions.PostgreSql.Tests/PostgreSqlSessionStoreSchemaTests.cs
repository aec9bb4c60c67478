using Microsoft.Extensions.Logging;
using Npgsql;

namespace Dexter.Sessions.PostgreSql.Tests;

/// <summary>The tables the store owns: created on first use, versioned, refused when newer, left alone when asked.</summary>
[TestFixture]
public sealed class PostgreSqlSessionStoreSchemaTests
{
    private static string ConnectionString => SharedPostgreSqlServer.Server.ConnectionString;

    private static Task<List<string>> TablesAsync(string schema) => PostgreSqlStores.LinesAsync(ConnectionString,
        $"SELECT table_name FROM information_schema.tables WHERE table_schema = '{schema}' ORDER BY table_name");

    private static Message Turn(string query) => new() { Query = query, Answer = "answer" };

    [Test]
    public async Task FirstUse_MissingTables_CreatesThemUnderTheSchemaAndPrefixAndRecordsTheVersion()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var store = PostgreSqlStores.Create(ConnectionString, configure: o => (o.Schema, o.TablePrefix) = (schema, "app1_"));

        await store.AppendAsync(SessionId.New(), Turn("q"));

        Assert.Multiple(async () =>
        {
            Assert.That(await TablesAsync(schema), Is.EqualTo(new[] { "app1_schema_version", "app1_sessions", "app1_turns" }));
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT max(version) FROM {schema}.app1_schema_version"), Is.EqualTo(PostgreSqlSchema.CurrentVersion));
        });
    }

    [Test]
    public async Task FirstUse_ManyStoresAtOnce_CreateTheTablesOnce()
    {
        var schema = PostgreSqlStores.NewSchema();
        var stores = Enumerable.Range(0, 6).Select(_ => PostgreSqlStores.Create(ConnectionString, configure: o => o.Schema = schema)).ToArray();
        try
        {
            var ids = await Task.WhenAll(stores.Select(s => s.AppendAsync("shared", Turn("q"))));

            Assert.Multiple(async () =>
            {
                Assert.That(ids.Select(m => m.Id).Order(), Is.EqualTo(Enumerable.Range(1, 6)));
                Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT count(*) FROM {schema}.dexter_schema_version"), Is.EqualTo((long)PostgreSqlSchema.CurrentVersion), "each version recorded once");
            });
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task FirstUse_DatabaseNewerThanThePackage_FailsNamingBothVersionsAndTheFix()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using (var first = PostgreSqlStores.Create(ConnectionString, configure: o => o.Schema = schema))
        {
            await first.PingAsync();
        }

        await PostgreSqlStores.ScalarAsync(ConnectionString, $"INSERT INTO {schema}.dexter_schema_version (version) VALUES (99)");
        await using var store = PostgreSqlStores.Create(ConnectionString, configure: o => o.Schema = schema);

        Assert.That(() => store.AppendAsync(SessionId.New(), Turn("q")), Throws.TypeOf<SessionStoreException>()
            .With.Message.Contains("schema version 99")
            .And.Message.Contains($"it knows version {PostgreSqlSchema.CurrentVersion}")
            .And.Message.Contains("Upgrade the package"));
    }

    [Test]
    public async Task CreateSchemaOff_TablesMissing_FailsNamingTheScriptAndCreatesNothing()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var store = PostgreSqlStores.Create(ConnectionString, configure: o => (o.Schema, o.CreateSchema) = (schema, false));

        Assert.Multiple(async () =>
        {
            Assert.That(() => store.AppendAsync(SessionId.New(), Turn("q")), Throws.TypeOf<SessionStoreException>()
                .With.Message.Contains("do not exist").And.Message.Contains("GetSchemaScript").And.Message.Contains("CreateSchema"));
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", schema), Is.Zero);
        });
    }

    [Test]
    public async Task CreateSchemaOff_ScriptAppliedByHand_Works()
    {
        var schema = PostgreSqlStores.NewSchema();
        var script = PostgreSqlSessionStore.GetSchemaScript(schema, "own_");
        await PostgreSqlStores.ScalarAsync(ConnectionString, script);
        await PostgreSqlStores.ScalarAsync(ConnectionString, script); // idempotent
        await using var store = PostgreSqlStores.Create(ConnectionString, configure: o => (o.Schema, o.TablePrefix, o.CreateSchema) = (schema, "own_", false));

        var turn = await store.AppendAsync("by-hand", Turn("q"));

        Assert.Multiple(async () =>
        {
            Assert.That(turn.Id, Is.EqualTo(1));
            Assert.That(await TablesAsync(schema), Is.EqualTo(new[] { "own_schema_version", "own_sessions", "own_turns" }));
        });
    }

    [Test]
    public async Task FirstUse_OlderVersion_MigratesForwardAndLogsIt()
    {
        var schema = PostgreSqlStores.NewSchema();
        // Version 0: only the version table, as a database created before any migration ran would have.
        await PostgreSqlStores.ScalarAsync(ConnectionString,
            $"CREATE SCHEMA {schema}; CREATE TABLE {schema}.dexter_schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        var logger = new Dexter.Sessions.Testing.CollectingLogger<PostgreSqlSessionStore>();
        await using var store = new PostgreSqlSessionStore(
            Microsoft.Extensions.Options.Options.Create(new PostgreSqlSessionStoreOptions { ConnectionString = ConnectionString, Schema = schema }), logger: logger);

        await store.AppendAsync("migrated", Turn("q"));

        Assert.Multiple(async () =>
        {
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT max(version) FROM {schema}.dexter_schema_version"), Is.EqualTo(PostgreSqlSchema.CurrentVersion));
            Assert.That(logger.Entries.Any(e => e.Level == LogLevel.Information && e.Message.Contains($"from schema version 0 to {PostgreSqlSchema.CurrentVersion}", StringComparison.Ordinal)), Is.True);
        });
    }

    [Test]
    public async Task FirstUse_Version1Tables_MigratesForwardKeepingSessionsAndAddsTheSummary()
    {
        var schema = PostgreSqlStores.NewSchema();
        var tables = new PostgreSqlSchema(schema, "dexter_");
        await PostgreSqlStores.ScalarAsync(ConnectionString,
            $"CREATE SCHEMA {schema}; {tables.CreateVersions} {tables.Migrations[0]} INSERT INTO {tables.Versions} (version) VALUES (1);");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await PostgreSqlStores.ScalarAsync(ConnectionString,
            $"INSERT INTO {tables.Sessions} (session_id, owner, created_at, last_activity_at, expires_at, last_id, turn_count) " +
            "VALUES ('old', 'alice', $1, $1, $2, 0, 0)", clock.GetUtcNow(), clock.GetUtcNow().AddHours(1));
        await using var store = PostgreSqlStores.Create(ConnectionString, clock, o => o.Schema = schema);

        var before = await store.GetSummaryAsync("old");
        var stored = await store.TrySetSummaryAsync("old", new SessionSummary("s", 1, clock.GetUtcNow()), 0);

        Assert.Multiple(async () =>
        {
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT max(version) FROM {tables.Versions}"), Is.EqualTo(PostgreSqlSchema.CurrentVersion));
            Assert.That((await store.GetMetadataAsync("old"))?.Owner, Is.EqualTo("alice"));
            Assert.That(before, Is.Null);
            Assert.That(stored, Is.True);
            Assert.That((await store.GetSummaryAsync("old"))?.Text, Is.EqualTo("s"));
        });
    }

    [Test]
    public async Task FirstUse_Version3Tables_MigratesToTheLifecycleSchema_KeepingTitles()
    {
        var schema = PostgreSqlStores.NewSchema();
        var tables = new PostgreSqlSchema(schema, "dexter_");
        await PostgreSqlStores.ScalarAsync(ConnectionString,
            $"CREATE SCHEMA {schema}; {tables.CreateVersions} {tables.Migrations[0]} {tables.Migrations[1]} {tables.Migrations[2]} " +
            $"INSERT INTO {tables.Versions} (version) VALUES (1), (2), (3);");
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await PostgreSqlStores.ScalarAsync(ConnectionString,
            $"INSERT INTO {tables.Sessions} (session_id, owner, created_at, last_activity_at, expires_at, last_id, turn_count, title, title_source) " +
            "VALUES ('titled', 'alice', $1, $1, $2, 0, 0, 'Kept', 3)", clock.GetUtcNow(), clock.GetUtcNow().AddHours(1));
        await using var store = PostgreSqlStores.Create(ConnectionString, clock, o => o.Schema = schema);

        var forked = await store.ForkAsync("titled", 0, "fork");
        var keyed = await store.AppendAsync("fork", Turn("q") with { TurnKey = "k1" });

        Assert.Multiple(async () =>
        {
            Assert.That(PostgreSqlSchema.CurrentVersion, Is.EqualTo(4));
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT max(version) FROM {tables.Versions}"), Is.EqualTo(4));
            Assert.That((await store.GetMetadataAsync("titled"))?.Title, Is.EqualTo("Kept"));
            Assert.That((forked?.Title, forked?.ForkedFromSessionId), Is.EqualTo(("Kept", "titled")));
            Assert.That((await store.GetTurnByKeyAsync("fork", "k1"))?.Id, Is.EqualTo(keyed.Id));
            Assert.That((await store.ListSessionsAsync("alice")).Sessions.Select(s => s.SessionId), Is.EquivalentTo(new[] { "titled", "fork" }));
        });
    }

    [Test]
    public async Task TablesDroppedUnderTheStore_TheNextCallCreatesThemAgain()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var store = PostgreSqlStores.Create(ConnectionString, configure: o => o.Schema = schema);
        await store.AppendAsync("s", Turn("q"));
        await PostgreSqlStores.ScalarAsync(ConnectionString, $"DROP SCHEMA {schema} CASCADE");

        Assert.That(() => store.AppendAsync("s", Turn("q")), Throws.TypeOf<SessionStoreException>().With.Message.Contains("are missing"));
        Assert.That((await store.AppendAsync("s", Turn("q"))).Id, Is.EqualTo(1));
    }

    [Test]
    public async Task GetRecentAsync_LongHistory_ReadsOnlyTheLatestRowsByTheKeyIndex()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var store = PostgreSqlStores.Create(ConnectionString, configure: o => o.Schema = schema);
        var history = new MessageHistory(Enumerable.Range(1, 5000).Select(i => Turn("q" + i) with { Id = i }));
        await store.SetAsync("long", history);
        await PostgreSqlStores.ScalarAsync(ConnectionString, $"ANALYZE {schema}.dexter_turns; ANALYZE {schema}.dexter_sessions");
        var sql = new PostgreSqlSchema(schema, "dexter_").GetRecent;

        var plan = string.Join('\n', await PostgreSqlStores.LinesAsync(ConnectionString,
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql.Replace("$1", "'long'", StringComparison.Ordinal).Replace("$2", "now()", StringComparison.Ordinal).Replace("$3", "10", StringComparison.Ordinal)));
        var recent = await store.GetRecentAsync("long", 10);

        Assert.Multiple(() =>
        {
            Assert.That(recent.Select(m => m.Id), Is.EqualTo(Enumerable.Range(4991, 10)));
            Assert.That(plan, Does.Contain("Index Scan Backward using dexter_turns_pkey"), plan);
            Assert.That(plan, Does.Match(@"Index Scan Backward using dexter_turns_pkey[^\n]*\(actual rows=10 loops=1\)"), plan);
        });
    }

    [TestCase("Bad-Schema", "dexter_", "Schema")]
    [TestCase("public", "has space", "TablePrefix")]
    public void GetSchemaScript_InvalidName_ThrowsNamingTheSetting(string schema, string prefix, string setting)
    {
        Assert.That(() => PostgreSqlSessionStore.GetSchemaScript(schema, prefix), Throws.ArgumentException.With.Message.Contains(setting));
    }

    [Test]
    public void GetSchemaScript_Defaults_CreatesTheDocumentedTables()
    {
        var script = PostgreSqlSessionStore.GetSchemaScript();

        Assert.Multiple(() =>
        {
            Assert.That(script, Does.Contain("CREATE TABLE IF NOT EXISTS \"public\".\"dexter_sessions\""));
            Assert.That(script, Does.Contain("CREATE TABLE IF NOT EXISTS \"public\".\"dexter_turns\""));
            Assert.That(script, Does.Contain("PRIMARY KEY (session_id, turn_id)"));
            Assert.That(script, Does.Contain("INSERT INTO \"public\".\"dexter_schema_version\" (version) VALUES (1)"));
            Assert.That(script, Does.Contain($"INSERT INTO \"public\".\"dexter_schema_version\" (version) VALUES ({PostgreSqlSchema.CurrentVersion})"));
        });
    }

    [Test]
    public async Task Readme_DdlIsTheScriptOfTheCurrentVersion()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(TestContext.CurrentContext.TestDirectory, "README.md"));
        var script = PostgreSqlSessionStore.GetSchemaScript();
        var fromVersionTable = script[script.IndexOf("CREATE TABLE IF NOT EXISTS", StringComparison.Ordinal)..];

        Assert.That(Normalize(readme), Does.Contain(Normalize(fromVersionTable)));

        static string Normalize(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
    }
}
