using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Benchmarks;

/// <summary>
/// The latency of appending one turn with <see cref="RedisSessionStore.AppendAsync"/> to a session that already holds
/// <see cref="HistoryLength"/> turns. The baseline, one JSON blob per session, is <see cref="BlobAppendBenchmarks"/>, in the same run.
/// </summary>
/// <remarks>
/// Before each iteration the list is trimmed back to <see cref="HistoryLength"/> turns (and the id counter reset), so a
/// session holds between N and N + 256 turns while it is measured.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
[InvocationCount(256)]
[IterationCount(30)]
public class AppendBenchmarks
{
    private const string Prefix = "bench:append:";
    private ConnectionMultiplexer _connection = null!;
    private RedisSessionStore _store = null!;
    private IDatabase _database = null!;
    private string _sessionId = null!;
    private Message _turn = null!;

    [Params(10, 1_000, 10_000)]
    public int HistoryLength { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(RedisHost.Endpoint);
        _database = _connection.GetDatabase();
        _store = new RedisSessionStore(_connection, Options.Create(new RedisSessionStoreOptions { KeyPrefix = Prefix }));
        _sessionId = SessionId.New();
        _turn = Turns.Create(HistoryLength + 1);
        await _store.SetAsync(_sessionId, Turns.History(HistoryLength));

        // Warm the JIT and the connection on another session, so that the first case measured is not penalized.
        var scratch = SessionId.New();
        for (var i = 0; i < 2_000; i++)
        {
            await _store.AppendAsync(scratch, _turn);
        }

        await _store.DeleteAsync(scratch);
    }

    [IterationSetup]
    public void TrimBack()
    {
        _database.ListTrim(Prefix + "{" + _sessionId + "}:turns", 0, HistoryLength - 1);
        _database.HashSet(Prefix + "{" + _sessionId + "}:meta", "last", HistoryLength);
    }

    [Benchmark(Description = "RedisSessionStore.AppendAsync")]
    public async Task<int> RedisStoreAppend() => (await _store.AppendAsync(_sessionId, _turn)).Id;

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DeleteAsync(_sessionId);
        await _connection.DisposeAsync();
    }
}
