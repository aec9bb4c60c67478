using BenchmarkDotNet.Attributes;

namespace Dexter.Sessions.Lifecycle.Benchmarks;

/// <summary>
/// One page of 50 of an owner's sessions, when the owner has 10,000 (and another owner 1,000 more): the first page, and page 101
/// (sessions 5,001 to 5,050) read through the cursor of page 100.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ListBenchmarks
{
    public const int OwnedSessions = 10_000, OtherSessions = 1_000, PageSize = 50, LaterPage = 101;
    private const string Owner = "alice";
    private static int _runs;
    private ISessionStore _store = null!;
    private string _cursor = null!;

    [Params(StoreKind.Memory, StoreKind.Sqlite, StoreKind.PostgreSql, StoreKind.Redis)]
    public StoreKind Store { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        var name = "list" + Interlocked.Increment(ref _runs);
        _store = LifecycleStores.Create(Store, name);
        var loader = Store == StoreKind.Sqlite ? LifecycleStores.CreateLoader(Store, name) : _store;
        var ids = Enumerable.Range(0, OwnedSessions + OtherSessions).ToArray();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
        {
            var created = await loader.CreateAsync("s" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture), i < OwnedSessions ? Owner : "bob", token);
            if (!created)
            {
                throw new InvalidOperationException("A session of the list benchmark existed already.");
            }
        });
        if (!ReferenceEquals(loader, _store))
        {
            LifecycleStores.Dispose(loader);
        }

        // Walk to page 100: every page holds 50 sessions, so the cursor stands after session 5,000.
        string? cursor = null;
        for (var page = 1; page < LaterPage; page++)
        {
            var read = await _store.ListSessionsAsync(Owner, PageSize, cursor);
            if (read.Sessions.Count != PageSize || read.NextCursor is null)
            {
                throw new InvalidOperationException($"Page {page} held {read.Sessions.Count} sessions.");
            }

            cursor = read.NextCursor;
        }

        _cursor = cursor!;
        StoreCallsColumn.Record(nameof(FirstPage), Store, await RedisCommands.CountAsync(Store, () => _store.ListSessionsAsync(Owner, PageSize)));
        StoreCallsColumn.Record(nameof(PageViaCursor), Store, await RedisCommands.CountAsync(Store, () => _store.ListSessionsAsync(Owner, PageSize, _cursor)));
    }

    [GlobalCleanup]
    public void Cleanup() => LifecycleStores.Dispose(_store);

    [Benchmark(Description = "list: first page of 50")]
    public Task<SessionListPage> FirstPage() => _store.ListSessionsAsync(Owner, PageSize);

    [Benchmark(Description = "list: page 101 via cursor")]
    public Task<SessionListPage> PageViaCursor() => _store.ListSessionsAsync(Owner, PageSize, _cursor);
}
