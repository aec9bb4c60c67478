using BenchmarkDotNet.Attributes;

namespace Dexter.Sessions.Sqlite.Benchmarks;

/// <summary>One append, and the latest 10 turns, in a session of 10 or 10,000 turns, at each durability.</summary>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
public class TurnBenchmarks
{
    private SqliteDatabase _database = null!;
    private int _next;

    [Params(SqliteDurability.Full, SqliteDurability.Normal)]
    public SqliteDurability Durability { get; set; }

    [Params(10, 10_000)]
    public int History { get; set; }

    [GlobalSetup]
    public void Setup() => _database = new SqliteDatabase(Durability, History);

    [GlobalCleanup]
    public void Cleanup() => _database.Dispose();

    [Benchmark(Description = "append")]
    public Task<Message> Append() => _database.Store.AppendAsync(SqliteDatabase.SessionId, SqliteDatabase.Turn(++_next));

    [Benchmark(Description = "latest 10")]
    public Task<IReadOnlyList<Message>> LatestTen() => _database.Store.GetRecentAsync(SqliteDatabase.SessionId, 10);
}
