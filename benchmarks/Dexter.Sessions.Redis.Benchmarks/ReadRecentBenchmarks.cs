using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Benchmarks;

/// <summary>
/// Reading the last 10 turns of a session of <see cref="HistoryLength"/> turns with the Redis store (<c>LRANGE -10 -1</c>).
/// The baseline, one JSON blob per session, is <see cref="BlobReadRecentBenchmarks"/>, in the same run; it is a class of its own
/// because the garbage of its 10,000-turn reads slows whatever runs right after it.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[IterationCount(30)]
public class ReadRecentBenchmarks
{
    private const string Prefix = "bench:read:";
    private ConnectionMultiplexer _connection = null!;
    private RedisSessionStore _store = null!;
    private string _sessionId = null!;

    [Params(10, 10_000)]
    public int HistoryLength { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(RedisHost.Endpoint);
        _store = new RedisSessionStore(_connection, Options.Create(new RedisSessionStoreOptions { KeyPrefix = Prefix }));
        _sessionId = SessionId.New();
        await _store.SetAsync(_sessionId, Turns.History(HistoryLength));

        // Warm the JIT and the connection, so that the first case measured is not penalized.
        for (var i = 0; i < 2_000; i++)
        {
            await _store.GetRecentAsync(_sessionId, 10);
        }
    }

    [Benchmark(Description = "RedisSessionStore.GetRecentAsync(10)")]
    public async Task<int> RedisStoreLast10() => (await _store.GetRecentAsync(_sessionId, 10)).Count;

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DeleteAsync(_sessionId);
        await _connection.DisposeAsync();
    }
}
