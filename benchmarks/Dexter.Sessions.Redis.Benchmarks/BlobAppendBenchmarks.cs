using BenchmarkDotNet.Attributes;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Benchmarks;

/// <summary>
/// The baseline of <see cref="AppendBenchmarks"/>: appending one turn to a single JSON blob (GET the whole JSON blob, add,
/// SET) to a session of <see cref="HistoryLength"/> turns.
/// </summary>
/// <remarks>
/// The grown blob is written to another key, at the same cost, so the blob read keeps its length. Few invocations per
/// iteration: at 10,000 turns one append takes a large fraction of a second.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
[InvocationCount(8)]
public class BlobAppendBenchmarks
{
    private ConnectionMultiplexer _connection = null!;
    private BlobSessionStore _blob = null!;
    private string _blobKey = null!;
    private Message _turn = null!;

    [Params(10, 1_000, 10_000)]
    public int HistoryLength { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(RedisHost.Endpoint);
        _blob = new BlobSessionStore(_connection.GetDatabase());
        _blobKey = "session:" + SessionId.New();
        _turn = Turns.Create(HistoryLength + 1);
        await _blob.SetAsync(_blobKey, Turns.History(HistoryLength).GetAll());
    }

    [Benchmark(Description = "Blob: GET blob, add, SET")]
    public Task<int> BlobAppend() => _blob.AppendAsync(_blobKey, _blobKey + ":written", _turn);

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _connection.GetDatabase().KeyDeleteAsync([_blobKey, _blobKey + ":written"]);
        await _connection.DisposeAsync();
    }
}
