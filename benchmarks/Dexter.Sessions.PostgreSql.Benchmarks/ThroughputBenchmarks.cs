using Dexter.Sessions.Redis.Benchmarks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.PostgreSql.Benchmarks;

/// <summary>
/// Throughput of 64 concurrent writers, each appending turns to its own session through one store (a pool of up to 100
/// connections). The time per operation is the time per turn: turns per second = 1 s / Mean. For comparison, pgbench runs an
/// equivalent single-row INSERT transaction with 64 clients against the same server just before and just after.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[InvocationCount(1)]
[WarmupCount(2)]
[IterationCount(10)]
public class ThroughputBenchmarks
{
    public const int Writers = 64;
    public const int AppendsPerWriter = 40;
    private const int PgbenchSeconds = 15;
    private PostgreSqlSessionStore _store = null!;
    private string[] _sessions = null!;
    private Message _turn = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        PostgresHost.RunPgbench("before", Writers, PgbenchSeconds);
        _store = new PostgreSqlSessionStore(Options.Create(new PostgreSqlSessionStoreOptions
        {
            ConnectionString = PostgresHost.ConnectionString,
            TablePrefix = "bench_throughput_",
            OperationTimeout = TimeSpan.FromSeconds(30),
        }));
        _turn = Turns.Create(1);
        _sessions = Enumerable.Range(0, Writers).Select(_ => SessionId.New()).ToArray();
        await Task.WhenAll(_sessions.Select(s => _store.AppendAsync(s, _turn))); // opens the 64 connections
    }

    [Benchmark(OperationsPerInvoke = Writers * AppendsPerWriter, Description = "64 writers x AppendAsync")]
    public Task SixtyFourWriters() => Task.WhenAll(_sessions.Select(session => Task.Run(async () =>
    {
        for (var i = 0; i < AppendsPerWriter; i++)
        {
            await _store.AppendAsync(session, _turn);
        }
    })));

    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var session in _sessions)
        {
            await _store.DeleteAsync(session);
        }

        await _store.DisposeAsync();
        PostgresHost.RunPgbench("after", Writers, PgbenchSeconds);
    }
}
