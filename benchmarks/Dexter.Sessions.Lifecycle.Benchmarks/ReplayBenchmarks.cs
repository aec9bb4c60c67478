using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Lifecycle.Benchmarks;

/// <summary>
/// A retried keyed turn: <see cref="DexterAgent.RunOnceAsync"/> with a key whose turn is recorded (in a session of 1,000 turns)
/// returns it without calling the model. The setup counts the store calls of one replay (through a counting proxy in front of
/// the store) and, on Redis, the commands the server ran for it (<c>INFO commandstats</c>).
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class ReplayBenchmarks
{
    private const string Query = "How does the quarterly report explain the growth of cloud revenue?";
    private const string Key = "idem-7f3a";
    private static int _runs;
    private ISessionStore _inner = null!;
    private DexterAgent _agent = null!;
    private FixedChatClient _model = null!;
    private string _session = null!;

    [Params(StoreKind.Memory, StoreKind.Sqlite, StoreKind.PostgreSql, StoreKind.Redis)]
    public StoreKind Store { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _inner = LifecycleStores.Create(Store, "replay" + Interlocked.Increment(ref _runs));
        var (store, counter) = CountingSessionStore.Wrap(_inner);
        _model = new FixedChatClient();
        _agent = new DexterAgent(_model, store);
        _session = SessionId.New();
        await _inner.CreateAsync(_session, "alice");
        await _inner.SetAsync(_session, Turns.History(999));
        var first = await _agent.RunOnceAsync(Query, _session, Key);
        counter.Reset();
        var redis = await RedisCommands.CountAsync(Store, async () =>
        {
            var replay = await _agent.RunOnceAsync(Query, _session, Key);
            if (!replay.Replayed || replay.Turn.Id != first.Turn.Id || _model.Calls != 1)
            {
                throw new InvalidOperationException("The retry was not a replay of the recorded turn.");
            }
        });
        StoreCallsColumn.Record(nameof(Replay), Store, counter.Describe() + (Store == StoreKind.Redis ? "; " + redis : string.Empty));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        LifecycleStores.Dispose(_inner);
        _model.Dispose();
    }

    [Benchmark(Description = "replay a keyed turn (RunOnceAsync)")]
    public Task<DexterAgentResponse> Replay() => _agent.RunOnceAsync(Query, _session, Key);

    /// <summary>A model that answers every request with the same text and counts the requests.</summary>
    private sealed class FixedChatClient : IChatClient
    {
        public int Calls { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Cloud revenue grew 23 percent.")));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
