using BenchmarkDotNet.Attributes;

namespace Dexter.Sessions.Sqlite.Benchmarks;

/// <summary>One append, and the latest 10 turns, in a session of 10 or 10,000 turns, at each durability.</summary>
/// <remarks>
/// Each iteration makes <see cref="AppendsPerIteration"/> appends and the session is taken back to <see cref="History"/> turns
/// before the next one, so the appends of a run do not grow the session they measure (10,000 appends would turn "10 turns" into
/// 10,010).
/// </remarks>
[Config(typeof(BenchmarkConfig))]
[MemoryDiagnoser]
public class TurnBenchmarks
{
    public const int AppendsPerIteration = 200;

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

    [IterationSetup(Target = nameof(Append))]
    public void TrimSession() => _database.TrimTo(History);

    [Benchmark(Description = "append", OperationsPerInvoke = AppendsPerIteration)]
    [InvocationCount(1, 1)]
    public async Task<int> Append()
    {
        var id = 0;
        for (var i = 0; i < AppendsPerIteration; i++)
        {
            id = (await _database.Store.AppendAsync(SqliteDatabase.SessionId, SqliteDatabase.Turn(++_next))).Id;
        }

        return id;
    }

    [Benchmark(Description = "latest 10")]
    public Task<IReadOnlyList<Message>> LatestTen() => _database.Store.GetRecentAsync(SqliteDatabase.SessionId, 10);
}
