using Dexter.Sessions.Redis.Benchmarks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.PostgreSql.Benchmarks;

/// <summary>
/// The latency of appending one turn with <see cref="PostgreSqlSessionStore.AppendAsync"/> to a session that already holds
/// <see cref="HistoryLength"/> turns, on a server with fsync and synchronous_commit on (every append waits for its WAL flush).
/// </summary>
/// <remarks>
/// Before each iteration the session is cut back to <see cref="HistoryLength"/> turns, so it holds between N and N + 256 turns
/// while it is measured.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
[InvocationCount(256)]
[IterationCount(20)]
public class AppendBenchmarks
{
    private PostgreSqlSessionStore _store = null!;
    private string _sessionId = null!;
    private Message _turn = null!;

    [Params(10, 10_000)]
    public int HistoryLength { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _store = new PostgreSqlSessionStore(Options.Create(new PostgreSqlSessionStoreOptions { ConnectionString = PostgresHost.ConnectionString, TablePrefix = "bench_append_" }));
        _sessionId = SessionId.New();
        _turn = Turns.Create(HistoryLength + 1);
        await _store.SetAsync(_sessionId, Turns.History(HistoryLength));
        PostgresHost.Sql("ANALYZE bench_append_sessions; ANALYZE bench_append_turns;");

        // Warm the JIT and the pool on another session, so that the first case measured is not penalized.
        var scratch = SessionId.New();
        for (var i = 0; i < 500; i++)
        {
            await _store.AppendAsync(scratch, _turn);
        }

        await _store.DeleteAsync(scratch);
    }

    [IterationSetup]
    public void CutBack() => PostgresHost.Sql(
        $"DELETE FROM bench_append_turns WHERE session_id = '{_sessionId}' AND turn_id > {HistoryLength}; " +
        $"UPDATE bench_append_sessions SET last_id = {HistoryLength}, turn_count = {HistoryLength} WHERE session_id = '{_sessionId}';");

    [Benchmark(Description = "PostgreSqlSessionStore.AppendAsync")]
    public async Task<int> Append() => (await _store.AppendAsync(_sessionId, _turn)).Id;

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DeleteAsync(_sessionId);
        await _store.DisposeAsync();
    }
}
