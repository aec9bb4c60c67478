using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Redis.Benchmarks;

/// <summary>
/// Throughput of 64 concurrent writers, each appending turns to its own session through one store (one connection).
/// The time per operation is the time per turn: turns per second = 1 s / Mean. For comparison,
/// <c>redis-benchmark -t rpush -c 64 -n 100000 -q</c> runs against the same server just before and just after.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[IterationCount(20)]
public class ThroughputBenchmarks
{
    public const int Writers = 64;
    public const int AppendsPerWriter = 200;
    private RedisSessionStore _store = null!;
    private string[] _sessions = null!;
    private Message _turn = null!;

    [GlobalSetup]
    public void Setup()
    {
        RedisHost.RunRedisBenchmark("before");
        _store = new RedisSessionStore(Options.Create(new RedisSessionStoreOptions { Configuration = RedisHost.Endpoint, KeyPrefix = "bench:throughput:" }));
        _turn = Turns.Create(1);
        _sessions = Enumerable.Range(0, Writers).Select(_ => SessionId.New()).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Writers * AppendsPerWriter, Description = "64 writers x AppendAsync")]
    public Task SixtyFourWriters() => Task.WhenAll(_sessions.Select(session => Task.Run(async () =>
    {
        for (var i = 0; i < AppendsPerWriter; i++)
        {
            await _store.AppendAsync(session, _turn);
        }
    })));

    [IterationCleanup]
    public void DeleteSessions()
    {
        foreach (var session in _sessions)
        {
            _store.DeleteAsync(session).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DisposeAsync();
        RedisHost.RunRedisBenchmark("after");
    }
}
