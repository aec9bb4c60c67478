using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Dexter.Sessions.Redis.Benchmarks;
using StackExchange.Redis;

namespace Dexter.Sessions.Benchmarks;

/// <summary>One Redis round trip on loopback (PING), the unit the session layer's cost on Redis is counted in.</summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RuntimeMoniker.Net10_0, warmupCount: 3, iterationCount: 15)]
public class RedisRoundTripBenchmarks
{
    private ConnectionMultiplexer _redis = null!;

    [GlobalSetup]
    public async Task SetupAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(RedisHost.Endpoint);

    [GlobalCleanup]
    public async Task CleanupAsync() => await _redis.DisposeAsync();

    [Benchmark(Description = "Redis PING")]
    public Task<TimeSpan> Ping() => _redis.GetDatabase().PingAsync();
}
