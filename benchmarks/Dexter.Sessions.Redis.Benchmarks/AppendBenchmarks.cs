using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Benchmarks;

/// <summary>
/// The latency of appending one turn to a session that already holds <see cref="HistoryLength"/> turns: the Redis store
/// (one Lua script) against the original design (GET the whole JSON blob, add, SET) as the baseline.
/// </summary>
/// <remarks>
/// Each iteration starts from exactly <see cref="HistoryLength"/> turns: the store's list is trimmed back before it,
/// and the baseline writes its grown blob to another key, so that the blob it reads keeps its length.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
[InvocationCount(16)]
public class AppendBenchmarks
{
    private const string Prefix = "bench:append:";
    private ConnectionMultiplexer _connection = null!;
    private RedisSessionStore _store = null!;
    private BlobSessionStore _blob = null!;
    private IDatabase _database = null!;
    private string _sessionId = null!;
    private string _blobKey = null!;
    private Message _turn = null!;

    [Params(10, 1_000, 10_000)]
    public int HistoryLength { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(RedisHost.Endpoint);
        _database = _connection.GetDatabase();
        _store = new RedisSessionStore(_connection, Options.Create(new RedisSessionStoreOptions { KeyPrefix = Prefix }));
        _blob = new BlobSessionStore(_database);
        _sessionId = SessionId.New();
        _blobKey = "session:" + _sessionId;
        _turn = Turns.Create(HistoryLength + 1);
        await _store.SetAsync(_sessionId, Turns.History(HistoryLength));
        await _blob.SetAsync(_blobKey, Turns.History(HistoryLength).GetAll());
    }

    [IterationSetup(Target = nameof(RedisStoreAppend))]
    public void TrimBack()
    {
        _database.ListTrim(Prefix + "{" + _sessionId + "}:turns", 0, HistoryLength - 1);
        _database.HashSet(Prefix + "{" + _sessionId + "}:meta", "last", HistoryLength);
    }

    [Benchmark(Baseline = true, Description = "Original: GET blob, add, SET")]
    public Task<int> BlobAppend() => _blob.AppendAsync(_blobKey, _blobKey + ":written", _turn);

    [Benchmark(Description = "RedisSessionStore.AppendAsync")]
    public async Task<int> RedisStoreAppend() => (await _store.AppendAsync(_sessionId, _turn)).Id;

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _store.DeleteAsync(_sessionId);
        await _database.KeyDeleteAsync([_blobKey, _blobKey + ":written"]);
        await _connection.DisposeAsync();
    }
}
