using Dexter.Sessions.PostgreSql;
using Dexter.Sessions.Redis;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Sqlite.Tests;

/// <summary>
/// A session exported from any store imports into any other with every field and its rolling summary: each ordered pair of
/// the in-memory, SQLite, Redis and PostgreSQL stores (a real redis-server and PostgreSQL server started for this fixture),
/// through the JSON document.
/// </summary>
[TestFixture]
public sealed class CrossStoreExportTests
{
    private static readonly string[] Kinds = ["memory", "sqlite", "redis", "postgresql"];
    private readonly List<IDisposable> _disposables = [];
    private RedisServer _redis = null!;
    private PostgreSqlServer _postgres = null!;

    private static IEnumerable<TestCaseData> Pairs() =>
        from source in Kinds from target in Kinds select new TestCaseData(source, target).SetArgDisplayNames(source, target);

    [OneTimeSetUp]
    public async Task StartServers()
    {
        _redis = await RedisServer.StartAsync();
        _postgres = await PostgreSqlServer.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        await _redis.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [TearDown]
    public void DisposeStores()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            disposable.Dispose();
        }

        _disposables.Clear();
    }

    [TestCaseSource(nameof(Pairs))]
    public async Task ExportThenImport_BetweenStores_KeepsEveryTurnTheOwnerAndTheRollingSummary(string sourceKind, string targetKind)
    {
        var source = Create(sourceKind);
        var target = Create(targetKind);
        var sessionId = await SessionAccountabilityContractTests.SeedAsync(source);

        var document = (await source.ExportSessionAsync(sessionId))!.ToUtf8Json();
        await target.ImportSessionAsync(SessionExport.Parse(document));

        await SessionAccountabilityContractTests.AssertSameSessionAsync(source, sessionId, target, sessionId);
    }

    private ISessionStore Create(string kind)
    {
        switch (kind)
        {
            case "memory":
                var memory = new InMemorySessionStore();
                _disposables.Add(memory);
                return memory;
            case "sqlite":
                var database = new TemporaryDatabase();
                var sqlite = database.Store();
                _disposables.Add(database);
                _disposables.Add(sqlite);
                return sqlite;
            case "redis":
                var redis = new RedisSessionStore(Options.Create(new RedisSessionStoreOptions
                {
                    Configuration = _redis.Endpoint,
                    KeyPrefix = "export:" + Guid.NewGuid().ToString("N")[..12] + ":",
                }));
                _disposables.Add(redis);
                return redis;
            default:
                var postgres = new PostgreSqlSessionStore(Options.Create(new PostgreSqlSessionStoreOptions
                {
                    ConnectionString = _postgres.ConnectionString,
                    Schema = "export_" + Guid.NewGuid().ToString("N")[..12],
                }));
                _disposables.Add(postgres);
                return postgres;
        }
    }
}
