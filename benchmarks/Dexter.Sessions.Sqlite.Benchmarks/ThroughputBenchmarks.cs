using BenchmarkDotNet.Attributes;

namespace Dexter.Sessions.Sqlite.Benchmarks;

/// <summary>
/// Turns per second from one process: 8 tasks append 100 turns each to their own sessions; the time shown is per turn,
/// so turns per second is 1 s divided by it.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ThroughputBenchmarks
{
    private const int Tasks = 8, AppendsPerTask = 100;
    private SqliteDatabase _database = null!;

    [Params(SqliteDurability.Full, SqliteDurability.Normal)]
    public SqliteDurability Durability { get; set; }

    [GlobalSetup]
    public void Setup() => _database = new SqliteDatabase(Durability, history: 0);

    [GlobalCleanup]
    public void Cleanup() => _database.Dispose();

    [Benchmark(Description = "8 tasks appending", OperationsPerInvoke = Tasks * AppendsPerTask)]
    public Task Appends() => Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
    {
        var session = "throughput-" + t;
        for (var i = 0; i < AppendsPerTask; i++)
        {
            await _database.Store.AppendAsync(session, SqliteDatabase.Turn(i));
        }
    })));
}
