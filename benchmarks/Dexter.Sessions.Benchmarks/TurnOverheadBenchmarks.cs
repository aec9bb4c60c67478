using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Dexter.Sessions.Redis;
using Dexter.Sessions.Redis.Benchmarks;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Benchmarks;

/// <summary>
/// What the session layer adds to one streamed turn: time to the first token, and time to the recorded turn, through
/// <see cref="DexterAgent"/> and through <c>UseDexterSessions()</c>, beside streaming the same model directly. Each
/// session starts with 10 turns, or with 1,000 turns and a full rolling summary (1,000 tokens) that every turn reads and, once
/// recorded, updates; turns go to 64 sessions in turn. The pipeline is built directly, with no background worker, so the
/// recorded turn includes folding the rolling summary (under <c>AddDexterSessions()</c> that happens after it).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(RuntimeMoniker.Net10_0, warmupCount: 3, iterationCount: 15)]
public class TurnOverheadBenchmarks
{
    private const int Sessions = 64;
    private readonly ChatMessage[] _question = [new(ChatRole.User, "Why is it valuable?")];
    private TokenModel _model = null!;
    private ISessionStore _store = null!;
    private DexterAgent _agent = null!;
    private IChatClient _middleware = null!;
    private ConnectionMultiplexer? _redis;
    private string[] _sessionIds = null!;
    private ChatOptions[] _options = null!;
    private int _next;

    [Params("memory", "redis")]
    public string Store { get; set; } = "memory";

    [Params(10, 1_000)]
    public int History { get; set; } = 10;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _model = new TokenModel();
        if (Store == "redis")
        {
            _redis = await ConnectionMultiplexer.ConnectAsync(RedisHost.Endpoint);
            _store = new RedisSessionStore(_redis, Options.Create(new RedisSessionStoreOptions { KeyPrefix = "bench:" + Guid.NewGuid().ToString("N")[..8] + ":" }));
        }
        else
        {
            _store = new InMemorySessionStore();
        }

        _sessionIds = Enumerable.Range(0, Sessions).Select(_ => SessionId.New()).ToArray();
        _options = _sessionIds.Select(id => new ChatOptions { ConversationId = id }).ToArray();
        var summarizer = new ExtractiveRollingSummarizer();
        foreach (var id in _sessionIds)
        {
            var turns = new List<Message>();
            for (var i = 0; i < History; i++)
            {
                var query = "What is Bitcoin? Tell me about block " + i;
                turns.Add(await _store.AppendAsync(id, new Message { Query = query, Answer = "A decentralized digital currency.", Summary = TruncatingSummarizer.Summarize(query, "A decentralized digital currency.") }));
            }

            if (History > 10)
            {
                var folded = turns[..^10];
                var text = summarizer.Fold(null, folded, DexterSessionsOptions.DefaultRollingSummaryMaxTokens);
                await _store.TrySetSummaryAsync(id, new SessionSummary(text, folded[^1].Id, DateTimeOffset.UtcNow), 0);
            }
        }

        _agent = new DexterAgent(_model, _store);
        _middleware = _model.AsBuilder().UseDexterSessions(_store).Build();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _middleware.Dispose();
        (_store as IDisposable)?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private int Next() => Interlocked.Increment(ref _next) % Sessions;

    [Benchmark(Baseline = true, Description = "model directly")]
    [BenchmarkCategory("first token")]
    public async Task<string> Direct_FirstToken()
    {
        await using var stream = _model.GetStreamingResponseAsync(_question).GetAsyncEnumerator();
        await stream.MoveNextAsync();
        return stream.Current.Text;
    }

    [Benchmark(Description = "DexterAgent")]
    [BenchmarkCategory("first token")]
    public async Task<string> Agent_FirstToken()
    {
        await using var stream = _agent.RunStreamingAsync("Why is it valuable?", _sessionIds[Next()]).GetAsyncEnumerator();
        await stream.MoveNextAsync();
        return stream.Current.Text; // disposed before the end: nothing is recorded
    }

    [Benchmark(Description = "UseDexterSessions()")]
    [BenchmarkCategory("first token")]
    public async Task<string> Middleware_FirstToken()
    {
        await using var stream = _middleware.GetStreamingResponseAsync(_question, _options[Next()]).GetAsyncEnumerator();
        await stream.MoveNextAsync();
        return stream.Current.Text;
    }

    [Benchmark(Baseline = true, Description = "model directly")]
    [BenchmarkCategory("recorded turn")]
    public async Task<int> Direct_WholeAnswer()
    {
        var length = 0;
        await foreach (var update in _model.GetStreamingResponseAsync(_question))
        {
            length += update.Text.Length;
        }

        return length;
    }

    [Benchmark(Description = "DexterAgent")]
    [BenchmarkCategory("recorded turn")]
    public async Task<int> Agent_RecordedTurn()
    {
        var id = 0;
        await foreach (var update in _agent.RunStreamingAsync("Why is it valuable?", _sessionIds[Next()]))
        {
            id = update.Turn?.Id ?? id;
        }

        return id;
    }

    [Benchmark(Description = "UseDexterSessions()")]
    [BenchmarkCategory("recorded turn")]
    public async Task<int> Middleware_RecordedTurn()
    {
        var length = 0;
        await foreach (var update in _middleware.GetStreamingResponseAsync(_question, _options[Next()]))
        {
            length += update.Text.Length;
        }

        return length;
    }
}
