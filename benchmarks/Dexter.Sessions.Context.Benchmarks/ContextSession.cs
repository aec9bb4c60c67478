using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Dexter.Sessions.Embeddings.MiniLM;
using Dexter.Sessions.PostgreSql;
using Dexter.Sessions.PostgreSql.Benchmarks;
using Dexter.Sessions.Redis;
using Dexter.Sessions.Redis.Benchmarks;
using Dexter.Sessions.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Context.Benchmarks;

/// <summary>
/// One store holding one session of <see cref="Conversation"/> turns (written with <see cref="ISessionStore.AppendAsync"/>, with a
/// rolling summary as a long session has one), and, with vectors, the MiniLM generator: each turn carries the MiniLM vector of its
/// question and answer, embedded once and kept in a file of the temporary directory for the next runs.
/// </summary>
internal sealed class ContextSession : IAsyncDisposable
{
    public const int DefaultTurns = 10_000;

    public const int MaxContextTokens = 2_000;

    private readonly string? _sqliteDirectory;
    private readonly ConnectionMultiplexer? _redis;

    private ContextSession(string storeName, ISessionStore store, MiniLMEmbeddingGenerator? generator, string? sqliteDirectory, ConnectionMultiplexer? redis)
    {
        StoreName = storeName;
        Store = store;
        Generator = generator;
        _sqliteDirectory = sqliteDirectory;
        _redis = redis;
    }

    public static readonly string[] StoreNames = ["memory", "sqlite", "postgresql", "redis"];

    public string StoreName { get; }

    public ISessionStore Store { get; }

    public string SessionId { get; } = "context-bench";

    public MiniLMEmbeddingGenerator? Generator { get; }

    /// <summary>Creates the store and fills the session; <paramref name="log"/> says what the setup did and how long it took.</summary>
    /// <param name="inferenceThreads">ONNX Runtime's threads for MiniLM (<see cref="MiniLMEmbeddingGeneratorOptions.InferenceThreads"/>; 0: one per core).</param>
    public static async Task<ContextSession> CreateAsync(string storeName, bool vectors, int turnCount, Action<string> log, int inferenceThreads = 0)
    {
        var clock = Stopwatch.StartNew();
        var turns = Conversation.Turns(turnCount);
        log(string.Create(CultureInfo.InvariantCulture,
            $"{turnCount:N0} turns generated ({turns.Average(t => Words(t.Query) + Words(t.Answer)):0} words and {turns.Average(t => t.TokenCount ?? 0):0} tokens per turn on average) in {clock.Elapsed.TotalSeconds:0.0} s"));

        MiniLMEmbeddingGenerator? generator = null;
        if (vectors)
        {
            generator = new MiniLMEmbeddingGenerator(Options.Create(new MiniLMEmbeddingGeneratorOptions { InferenceThreads = inferenceThreads }));
            clock.Restart();
            await generator.GenerateAsync(["warm up"]); // the model loads on the first call
            log(string.Create(CultureInfo.InvariantCulture, $"MiniLM loaded in {clock.Elapsed.TotalSeconds:0.0} s"));
            var embeddings = await VectorsAsync(generator, turns, log);
            for (var i = 0; i < turns.Count; i++)
            {
                turns[i] = turns[i] with { Embedding = embeddings[i] };
            }
        }

        string? sqliteDirectory = null;
        ConnectionMultiplexer? redis = null;
        ISessionStore store;
        switch (storeName)
        {
            case "memory":
                store = new InMemorySessionStore();
                break;
            case "sqlite":
                sqliteDirectory = Directory.CreateTempSubdirectory("dexter-context-bench-").FullName;
                store = new SqliteSessionStore(Options.Create(new SqliteSessionStoreOptions { Path = Path.Combine(sqliteDirectory, "sessions.db") }));
                break;
            case "postgresql":
                store = new PostgreSqlSessionStore(Options.Create(new PostgreSqlSessionStoreOptions { ConnectionString = PostgresHost.ConnectionString }));
                break;
            case "redis":
                redis = await ConnectionMultiplexer.ConnectAsync(RedisHost.Endpoint);
                store = new RedisSessionStore(redis, Options.Create(new RedisSessionStoreOptions { KeyPrefix = "context-bench:" }));
                break;
            default:
                throw new ArgumentException($"Unknown store '{storeName}'; use one of {string.Join(", ", StoreNames)}.", nameof(storeName));
        }

        var session = new ContextSession(storeName, store, generator, sqliteDirectory, redis);
        clock.Restart();
        await store.DeleteAsync(session.SessionId);
        var recorded = new List<Message>(turns.Count);
        foreach (var turn in turns)
        {
            recorded.Add(await store.AppendAsync(session.SessionId, turn));
        }

        // As a long session has one: the older turns folded into the rolling summary, at most what one update folds.
        var folded = recorded[..^DexterSessionsOptions.DefaultMaxContextMessages];
        var text = new ExtractiveRollingSummarizer().Fold(null, folded[^Math.Min(256, folded.Count)..], DexterSessionsOptions.DefaultRollingSummaryMaxTokens);
        await store.TrySetSummaryAsync(session.SessionId, new SessionSummary(text, folded[^1].Id, DateTimeOffset.UtcNow), 0);
        log(string.Create(CultureInfo.InvariantCulture, $"{storeName}: {turnCount:N0} turns appended in {clock.Elapsed.TotalSeconds:0.0} s"));
        return session;
    }

    /// <summary>A pipeline as the task sets it up: relevance selection (with the generator, if any), a 2,000-token budget, defaults otherwise.</summary>
    public SessionTurnPipeline NewPipeline() =>
        new(Store, selector: new RelevanceMessageSelector(Generator), options: Options.Create(new DexterSessionsOptions { MaxContextTokens = MaxContextTokens }));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Store.DeleteAsync(SessionId);
        }
        finally
        {
            switch (Store)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }

            if (_redis is not null)
            {
                await _redis.DisposeAsync();
            }

            Generator?.Dispose();
            if (_sqliteDirectory is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(_sqliteDirectory, recursive: true);
            }
        }
    }

    /// <summary>The turns' MiniLM vectors: read from the file of an earlier run, or embedded now (in batches) and written to it.</summary>
    private static async Task<ReadOnlyMemory<float>[]> VectorsAsync(MiniLMEmbeddingGenerator generator, List<Message> turns, Action<string> log)
    {
        const int Dimensions = 384;
        var file = Path.Combine(Path.GetTempPath(), "dexter-context-benchmarks",
            string.Create(CultureInfo.InvariantCulture, $"minilm-{Conversation.Seed}-{turns.Count}.f32"));
        var result = new ReadOnlyMemory<float>[turns.Count];
        if (File.Exists(file) && new FileInfo(file).Length == (long)turns.Count * Dimensions * sizeof(float))
        {
            var all = MemoryMarshal.Cast<byte, float>(await File.ReadAllBytesAsync(file)).ToArray();
            for (var i = 0; i < turns.Count; i++)
            {
                result[i] = all.AsSpan(i * Dimensions, Dimensions).ToArray();
            }

            log($"MiniLM vectors of the turns read from {file}");
            return result;
        }

        var clock = Stopwatch.StartNew();
        const int Batch = 256;
        for (var start = 0; start < turns.Count; start += Batch)
        {
            var texts = turns.Skip(start).Take(Batch).Select(Conversation.EmbeddedText).ToArray();
            var embeddings = await generator.GenerateAsync(texts);
            for (var i = 0; i < texts.Length; i++)
            {
                result[start + i] = embeddings[i].Vector.ToArray();
            }

            if ((start / Batch) % 8 == 0)
            {
                log(string.Create(CultureInfo.InvariantCulture, $"embedded {start + texts.Length:N0} turns in {clock.Elapsed.TotalSeconds:0} s"));
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var bytes = new byte[(long)turns.Count * Dimensions * sizeof(float)];
        for (var i = 0; i < turns.Count; i++)
        {
            MemoryMarshal.AsBytes(result[i].Span).CopyTo(bytes.AsSpan(i * Dimensions * sizeof(float)));
        }

        var partial = file + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        await File.WriteAllBytesAsync(partial, bytes);
        File.Move(partial, file, overwrite: true);
        log(string.Create(CultureInfo.InvariantCulture, $"{turns.Count:N0} turns embedded with MiniLM in {clock.Elapsed.TotalSeconds:0} s; kept in {file}"));
        return result;
    }

    private static int Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
