using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Benchmarks;

/// <summary>
/// Reading the last 10 turns of a session of <see cref="HistoryLength"/> turns: the Redis store (<c>LRANGE -10 -1</c>)
/// against the original design (GET the whole blob and keep its tail) as the baseline.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[IterationCount(30)]
public class ReadRecentBenchmarks
{
    private const string Prefix = "bench:read:";
    private ConnectionMultiplexer _connection = null!;
    private RedisSessionStore _store = null!;
    private BlobSessionStore _blob = null!;
    private string _sessionId = null!;
    private string _blobKey = null!;

    [Params(10, 10_000)]
    public int HistoryLength { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(RedisHost.Endpoint);
        _store = new RedisSessionStore(_connection, Options.Create(new RedisSessionStoreOptions { KeyPrefix = Prefix }));
        _blob = new BlobSessionStore(_connection.GetDatabase());
        _sessionId = SessionId.New();
        _blobKey = "session:" + _sessionId;
        await _store.SetAsync(_sessionId, Turns.History(HistoryLength));
        await _blob.SetAsync(_blobKey, Turns.History(HistoryLength).GetAll());
    }

    [Benchmark(Baseline = true, Description = "Original: GET blob, take last 10")]
    public async Task<int> BlobLast10() => (await _blob.GetRecentAsync(_blobKey, 10)).Count;

    [Benchmark(Description = "RedisSessionStore.GetRecentAsync(10)")]
    public async Task<int> RedisStoreLast10() => (await _store.GetRecentAsync(_sessionId, 10)).Count;

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DeleteAsync(_sessionId);
        await _connection.GetDatabase().KeyDeleteAsync(_blobKey);
        await _connection.DisposeAsync();
    }
}
