using BenchmarkDotNet.Attributes;

namespace Dexter.Sessions.Lifecycle.Benchmarks;

/// <summary>
/// Rewinding a session of 1,000 turns (about 500 bytes each, owned): the last turn (with the expected last turn, as
/// <c>RegenerateAsync</c> does), and all of them (to turn 0). Every iteration rewinds a new session written in its iteration setup,
/// which is not measured, and deleted after it.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[IterationCount(40)] // one operation an iteration: more iterations for a steadier median
public class RewindBenchmarks
{
    public const int History = 1_000;
    private static int _runs;
    private ISessionStore _store = null!;
    private string _session = null!;
    private RewindResult _result = null!;
    private int _expectedRemoved;

    [Params(StoreKind.Memory, StoreKind.Sqlite, StoreKind.PostgreSql, StoreKind.Redis)]
    public StoreKind Store { get; set; }

    [GlobalSetup]
    public void Setup() => _store = LifecycleStores.Create(Store, "rewind" + Interlocked.Increment(ref _runs));

    [GlobalCleanup]
    public void Cleanup() => LifecycleStores.Dispose(_store);

    [IterationSetup]
    public void WriteSession()
    {
        _session = SessionId.New();
        _store.CreateAsync(_session, "alice").GetAwaiter().GetResult();
        _store.SetAsync(_session, Turns.History(History)).GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void CheckAndDelete()
    {
        if (_result.Status != RewindStatus.Rewound || _result.RemovedTurns != _expectedRemoved)
        {
            throw new InvalidOperationException($"The rewind returned {_result}; {_expectedRemoved} turns should have gone.");
        }

        _store.DeleteAsync(_session).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "rewind the last of 1,000 turns")]
    [InvocationCount(1)]
    public async Task RewindLast()
    {
        _expectedRemoved = 1;
        _result = await _store.RewindAsync(_session, History - 1, expectedLastTurnId: History);
    }

    [Benchmark(Description = "rewind all 1,000 turns")]
    [InvocationCount(1)]
    public async Task RewindAll()
    {
        _expectedRemoved = History;
        _result = await _store.RewindAsync(_session, 0);
    }
}
