using Dexter.Sessions.Redis;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Sqlite.Tests;

/// <summary>
/// A session exported from any store imports into any other with every field: each ordered pair of the in-memory, SQLite and
/// Redis stores (a real redis-server started for this fixture), through the JSON document.
/// </summary>
[TestFixture]
public sealed class CrossStoreExportTests
{
    private static readonly string[] Kinds = ["memory", "sqlite", "redis"];
    private readonly List<IDisposable> _disposables = [];
    private RedisServer _redis = null!;

    private static IEnumerable<TestCaseData> Pairs() =>
        from source in Kinds from target in Kinds select new TestCaseData(source, target).SetArgDisplayNames(source, target);

    [OneTimeSetUp]
    public async Task StartRedis() => _redis = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopRedis() => await _redis.DisposeAsync();

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
    public async Task ExportThenImport_BetweenStores_KeepsEveryTurnAndTheOwner(string sourceKind, string targetKind)
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
            default:
                var redis = new RedisSessionStore(Options.Create(new RedisSessionStoreOptions
                {
                    Configuration = _redis.Endpoint,
                    KeyPrefix = "export:" + Guid.NewGuid().ToString("N")[..12] + ":",
                }));
                _disposables.Add(redis);
                return redis;
        }
    }
}
