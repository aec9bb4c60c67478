using BenchmarkDotNet.Attributes;
using Dexter.Sessions.Redis;
using Dexter.Sessions.Redis.Benchmarks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Encryption.Benchmarks;

/// <summary>
/// One turn appended, and the latest 10 of a 100-turn session read, through <see cref="EncryptingSessionStore"/> or straight to
/// the store. A turn is realistic: a 200-character query, a 600-character answer, a summary, four chat messages (a tool call
/// and its result) and a 384-value embedding (encrypted, the default).
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class EncryptionBenchmarks
{
    private ConnectionMultiplexer? _connection;
    private ISessionStore _inner = null!;
    private ISessionStore _store = null!;
    private string _appendSession = null!;
    private string _readSession = null!;
    private Message _turn = null!;
    private int _appends;

    [Params("Memory", "Redis")]
    public string Store { get; set; } = "Memory";

    [Params(false, true)]
    public bool Encrypted { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        if (Store == "Redis")
        {
            _connection = await ConnectionMultiplexer.ConnectAsync(RedisHost.Endpoint);
            _inner = new RedisSessionStore(_connection, Options.Create(new RedisSessionStoreOptions { KeyPrefix = "bench:enc:" }));
        }
        else
        {
            _inner = new InMemorySessionStore();
        }

        _store = Encrypted ? new EncryptingSessionStore(_inner, new EphemeralDataProtectionProvider()) : _inner;
        _turn = Turn();
        _appendSession = SessionId.New();
        _readSession = SessionId.New();
        for (var i = 0; i < 100; i++)
        {
            await _store.AppendAsync(_readSession, _turn);
        }

        for (var i = 0; i < 500; i++)
        {
            await _store.GetRecentAsync(_readSession, 10);
        }
    }

    [Benchmark(Description = "AppendAsync")]
    public async Task<int> Append()
    {
        // The session starts again every 1,000 appends, so that millions of invocations do not fill memory or Redis.
        if (++_appends == 1_000)
        {
            _appends = 0;
            await _inner.DeleteAsync(_appendSession);
        }

        return (await _store.AppendAsync(_appendSession, _turn)).Id;
    }

    [Benchmark(Description = "GetRecentAsync(10)")]
    public async Task<int> Latest10() => (await _store.GetRecentAsync(_readSession, 10)).Count;

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _inner.DeleteAsync(_appendSession);
        await _inner.DeleteAsync(_readSession);
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private static Message Turn()
    {
        var query = string.Concat(Enumerable.Repeat("How do miners earn rewards? ", 8))[..200];
        var answer = string.Concat(Enumerable.Repeat("Miners earn the block subsidy plus the fees of the transactions they include. ", 8))[..600];
        var embedding = new float[384];
        for (var i = 0; i < embedding.Length; i++)
        {
            embedding[i] = MathF.Sin(i) / 20;
        }

        return new Message
        {
            Query = query,
            Answer = answer,
            Summary = answer[..200],
            CreatedAt = DateTimeOffset.UtcNow,
            InputTokenCount = 900,
            OutputTokenCount = 150,
            ResponseTime = TimeSpan.FromMilliseconds(850),
            Embedding = embedding,
            ChatMessages =
            [
                new ChatMessage(ChatRole.User, query),
                new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "get_price", new Dictionary<string, object?> { ["symbol"] = "BTC" })]),
                new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", "BTC trades at 64,000 USD")]),
                new ChatMessage(ChatRole.Assistant, answer),
            ],
        };
    }
}
