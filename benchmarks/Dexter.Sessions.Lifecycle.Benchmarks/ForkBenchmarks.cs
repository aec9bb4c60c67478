using BenchmarkDotNet.Attributes;

namespace Dexter.Sessions.Lifecycle.Benchmarks;

/// <summary>
/// Forking a whole session of 1,000 turns (about 500 bytes each, owned, titled) into a new session, through the store and
/// through <see cref="EncryptingSessionStore"/> in front of it (which reads the copies back and seals them again for the new
/// session). Every iteration forks into a new id; the fork is checked and deleted after the iteration, unmeasured.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[IterationCount(40)] // one operation an iteration: more iterations for a steadier median
public class ForkBenchmarks
{
    public const int History = 1_000;
    private const string Title = "Quarterly report: cloud revenue";
    private static int _runs;
    private ISessionStore _inner = null!;
    private ISessionStore _store = null!;
    private string _source = null!;
    private string _target = null!;
    private SessionMetadata? _forked;

    [Params(StoreKind.Memory, StoreKind.Sqlite, StoreKind.SqliteNormal, StoreKind.PostgreSql, StoreKind.Redis)]
    public StoreKind Store { get; set; }

    [Params(false, true)]
    public bool Encrypted { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _inner = LifecycleStores.Create(Store, "fork" + Interlocked.Increment(ref _runs));
        _store = Encrypted ? LifecycleStores.Encrypt(_inner) : _inner;
        _source = SessionId.New();
        await _store.CreateAsync(_source, "alice");
        await _store.SetAsync(_source, Turns.History(History));
        await _store.SetTitleAsync(_source, Title);
    }

    [GlobalCleanup]
    public void Cleanup() => LifecycleStores.Dispose(_inner);

    [IterationSetup]
    public void NewTarget() => _target = SessionId.New();

    [IterationCleanup]
    public void CheckAndDelete()
    {
        if (_forked is not { TurnCount: History, Owner: "alice", Title: Title, ForkedFromTurnId: History } || _forked.ForkedFromSessionId != _source)
        {
            throw new InvalidOperationException($"The fork returned {_forked}.");
        }

        _store.DeleteAsync(_target).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "fork all 1,000 turns")]
    [InvocationCount(1)]
    public async Task Fork() => _forked = await _store.ForkAsync(_source, History, _target);
}
