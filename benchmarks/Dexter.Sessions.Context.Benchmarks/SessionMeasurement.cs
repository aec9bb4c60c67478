using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;

namespace Dexter.Sessions.Context.Benchmarks;

/// <summary>
/// What BenchmarkDotNet cannot measure, per store and vectors: the cold first query of a fresh pipeline (it reads the whole
/// session and indexes it), the managed memory that one cached session then keeps (<see cref="GC.GetTotalMemory"/> after a full
/// collection, before and after that first query: the turn cache, the lexical index and the planning-cost cache), and the
/// per-call latency of the warm queries that follow (stopwatch around each call, so p50 and p95 are per question, not per
/// iteration), and, with a generator, what embedding one question alone takes and what comparing its vector with every turn's
/// alone takes (the generator's and the vector scan's parts of a warm call). <c>--threads 1</c> runs MiniLM on one ONNX Runtime thread.
/// Round 1 of each case also pays the JIT and first-use costs and is left out; rounds 2 to 4 are reported.
/// </summary>
internal static class SessionMeasurement
{
    private const int Rounds = 4;
    private const int WarmCalls = 100;

    public static async Task RunAsync(string[] args)
    {
        var stores = Option(args, "--stores") ?? ContextSession.StoreNames;
        var vectors = Option(args, "--vectors") ?? ["none", "MiniLM"];
        var turns = Option(args, "--turns") is [var count] ? int.Parse(count, CultureInfo.InvariantCulture) : ContextSession.DefaultTurns;
        var threads = Option(args, "--threads") is [var value] ? int.Parse(value, CultureInfo.InvariantCulture) : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} logical cores, {Environment.OSVersion}, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}; {turns:N0} turns, budget {ContextSession.MaxContextTokens:N0} tokens, MiniLM inference threads {threads}"));
        var rows = new List<string>();
        foreach (var store in stores)
        {
            foreach (var vector in vectors)
            {
                rows.Add(await MeasureAsync(store, vector, turns, threads));
                Console.WriteLine(rows[^1]);
            }
        }

        Console.WriteLine();
        Console.WriteLine("| Store | Vectors | cold first query | turns as read (MB) | retained per cached session (MB) | warm p50 | warm p95 | warm max | query embedding alone, p50 | cosine over every turn alone, p50 |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
    }

    private static async Task<string> MeasureAsync(string store, string vectors, int turnCount, int threads)
    {
        await using var session = await ContextSession.CreateAsync(store, vectors == "MiniLM", turnCount, static line => Console.WriteLine("// " + line), threads);
        var asRead = await TurnsAsReadAsync(session);
        var cold = new List<double>();
        var retained = new List<double>();
        var warm = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var (coldMs, retainedBytes, warmMs) = await RoundAsync(session);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"// {store}, {vectors}, round {round + 1}: cold {coldMs:0.0} ms, retained {retainedBytes / 1e6:0.0} MB, warm p50 {Percentile(warmMs, 50):0.00} ms"));
            if (round > 0)
            {
                cold.Add(coldMs);
                retained.Add(retainedBytes / 1e6);
                warm.AddRange(warmMs);
            }
        }

        var embeddingMs = session.Generator is null ? (double?)null : await QueryEmbeddingAsync(session);
        var scanMs = session.Generator is null ? (double?)null : await CosineScanAsync(session);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {store} | {vectors} | {Percentile(cold, 50):0} ms | {asRead / 1e6:0.0} | {Percentile(retained, 50):0.0} | {Percentile(warm, 50):0.00} ms | {Percentile(warm, 95):0.00} ms | {warm.Max():0.00} ms | {Ms(embeddingMs)} | {Ms(scanMs)} |");
    }

    /// <summary>The p50 of embedding one question alone (the part of a warm call that the generator takes), over the same questions.</summary>
    private static async Task<double> QueryEmbeddingAsync(ContextSession session)
    {
        var times = new List<double>(WarmCalls);
        var clock = new Stopwatch();
        for (var i = 0; i < WarmCalls; i++)
        {
            clock.Restart();
            await session.Generator!.GenerateAsync([Conversation.Questions[i % Conversation.Questions.Length]]);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return Percentile(times, 50);
    }

    /// <summary>
    /// The p50 of comparing one question's vector with every turn's, as the selector does (<see cref="TensorPrimitives.CosineSimilarity(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
    /// turn by turn), without the rest of the selection.
    /// </summary>
    private static async Task<double> CosineScanAsync(ContextSession session)
    {
        var turns = await session.Store.GetRecentAsync(session.SessionId, int.MaxValue);
        var query = (await session.Generator!.GenerateAsync([Conversation.Questions[0]]))[0].Vector;
        var similarities = new float[turns.Count];
        var times = new List<double>(WarmCalls);
        var clock = new Stopwatch();
        for (var round = 0; round < WarmCalls; round++)
        {
            clock.Restart();
            for (var i = 0; i < turns.Count; i++)
            {
                similarities[i] = TensorPrimitives.CosineSimilarity(query.Span, turns[i].Embedding.Span);
            }

            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return Percentile(times, 50);
    }

    private static string Ms(double? value) => value is { } ms ? string.Create(CultureInfo.InvariantCulture, $"{ms:0.00} ms") : "–";

    /// <summary>The managed memory of the session's turns as the store returns them, for comparison.</summary>
    private static async Task<long> TurnsAsReadAsync(ContextSession session)
    {
        var before = await CollectAsync(session);
        var all = await session.Store.GetRecentAsync(session.SessionId, int.MaxValue);
        var after = await CollectAsync(session);
        GC.KeepAlive(all);
        return after - before;
    }

    private static async Task<(double Cold, long Retained, List<double> Warm)> RoundAsync(ContextSession session)
    {
        var before = await CollectAsync(session);
        var pipeline = session.NewPipeline();
        var clock = Stopwatch.StartNew();
        await pipeline.ExplainContextAsync(session.SessionId, Conversation.Questions[0]);
        var cold = clock.Elapsed.TotalMilliseconds;
        var retained = await CollectAsync(session) - before;

        var warm = new List<double>(WarmCalls);
        for (var i = 0; i < WarmCalls; i++)
        {
            clock.Restart();
            await pipeline.ExplainContextAsync(session.SessionId, Conversation.Questions[(i + 1) % Conversation.Questions.Length]);
            warm.Add(clock.Elapsed.TotalMilliseconds);
        }

        GC.KeepAlive(pipeline);
        return (cold, retained, warm);
    }

    /// <summary>
    /// The managed heap after a full collection. A one-turn read goes first: a store's client can keep what it last read reachable
    /// until its next command (on PostgreSQL and Redis the whole session's read stayed alive that way), which would count the
    /// previous read in the baseline.
    /// </summary>
    private static async Task<long> CollectAsync(ContextSession session)
    {
        await session.Store.GetRecentAsync(session.SessionId, 1);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    private static string[]? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1].Split(',', StringSplitOptions.RemoveEmptyEntries) : null;
    }
}
