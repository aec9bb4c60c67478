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
                Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT count(*) FROM {schema}.dexter_schema_version"), Is.EqualTo(1L));
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
            Assert.That(logger.Entries.Any(e => e.Level == LogLevel.Information && e.Message.Contains("from schema version 0 to 1", StringComparison.Ordinal)), Is.True);
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
        });
    }
}
