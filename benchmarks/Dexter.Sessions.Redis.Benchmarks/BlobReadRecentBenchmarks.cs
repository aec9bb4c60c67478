using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Benchmarks;

/// <summary>
/// The baseline of <see cref="ReadRecentBenchmarks"/>: reading the last 10 turns from a single JSON blob (GET the whole JSON
/// blob and keep its tail) from a session of <see cref="HistoryLength"/> turns.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class BlobReadRecentBenchmarks
{
    private ConnectionMultiplexer _connection = null!;
    private BlobSessionStore _blob = null!;
    private string _blobKey = null!;

    [Params(10, 10_000)]
    public int HistoryLength { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(RedisHost.Endpoint);
        _blob = new BlobSessionStore(_connection.GetDatabase());
        _blobKey = "session:" + SessionId.New();
        await _blob.SetAsync(_blobKey, Turns.History(HistoryLength).GetAll());
    }

    [Benchmark(Description = "Blob: GET blob, take last 10")]
    public async Task<int> BlobLast10() => (await _blob.GetRecentAsync(_blobKey, 10)).Count;

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _connection.GetDatabase().KeyDeleteAsync(_blobKey);
        await _connection.DisposeAsync();
    }
}
