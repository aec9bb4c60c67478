using Dexter.Sessions.Redis.Benchmarks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.PostgreSql.Benchmarks;

/// <summary>Reading the latest 10 turns with <see cref="PostgreSqlSessionStore.GetRecentAsync"/> of a session of <see cref="HistoryLength"/> turns.</summary>
[Config(typeof(BenchmarkConfig))]
[InvocationCount(256)]
[IterationCount(15)]
public class ReadRecentBenchmarks
{
    private PostgreSqlSessionStore _store = null!;
    private string _sessionId = null!;

    [Params(10, 10_000)]
    public int HistoryLength { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _store = new PostgreSqlSessionStore(Options.Create(new PostgreSqlSessionStoreOptions { ConnectionString = PostgresHost.ConnectionString, TablePrefix = "bench_read_" }));
        _sessionId = SessionId.New();
        await _store.SetAsync(_sessionId, Turns.History(HistoryLength));
        PostgresHost.Sql("ANALYZE bench_read_sessions; ANALYZE bench_read_turns;");
        for (var i = 0; i < 500; i++)
        {
            await _store.GetRecentAsync(_sessionId, 10);
        }
    }

    [Benchmark(Description = "PostgreSqlSessionStore.GetRecentAsync(id, 10)")]
    public async Task<int> ReadRecent() => (await _store.GetRecentAsync(_sessionId, 10)).Count;

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DeleteAsync(_sessionId);
        await _store.DisposeAsync();
    }
}
