using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Dexter.Sessions.PostgreSql.Benchmarks;
using Dexter.Sessions.Redis.Benchmarks;

namespace Dexter.Sessions.Context.Benchmarks;

/// <summary>
/// What building the context of one question costs in a session of 10,000 turns: <see cref="SessionTurnPipeline.ExplainContextAsync"/>
/// (read what the turn cache does not hold yet, rank every turn, fill a 2,000-token budget; nothing recorded), on each store,
/// lexical only or with MiniLM vectors (the question embedded on every call; ONNX Runtime with its default threads, or one).
/// The pipeline is warmed by one call in the setup, which reads and indexes the whole session; that cold call is printed
/// (<c>// cold first query</c>) and measured on fresh pipelines by <c>-- measure</c>. Twenty questions are asked in turn, each
/// iteration asking them all twice.
/// </summary>
[Config(typeof(ContextBenchmarkConfig))]
public class ContextBuildingBenchmarks
{
    private ContextSession _session = null!;
    private SessionTurnPipeline _pipeline = null!;
    private int _next;

    [Params("memory", "sqlite", "postgresql", "redis")]
    public string Store { get; set; } = "memory";

    /// <summary>none: lexical only; MiniLM: with the generator's defaults (ONNX Runtime threads: one per core); MiniLM-1thread: one inference thread.</summary>
    [Params("none", "MiniLM", "MiniLM-1thread")]
    public string Vectors { get; set; } = "none";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _session = await ContextSession.CreateAsync(
            Store, Vectors != "none", ContextSession.DefaultTurns, static line => Console.WriteLine("// " + line), inferenceThreads: Vectors == "MiniLM-1thread" ? 1 : 0);
        _pipeline = _session.NewPipeline();
        var clock = Stopwatch.StartNew();
        var explanation = await _pipeline.ExplainContextAsync(_session.SessionId, Conversation.Questions[0]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// cold first query ({Store}, {Vectors}): {clock.Elapsed.TotalMilliseconds:0.0} ms; {explanation.ConsideredTurns:N0} turns ranked, {explanation.Turns.Count} in the context, {explanation.TokenCount:N0} of {explanation.MaxTokens:N0} tokens"));
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _session.DisposeAsync();
        PostgresHost.Stop();
        RedisHost.Stop();
    }

    [Benchmark(Description = "ExplainContextAsync")]
    public async Task<int> BuildContext()
    {
        var question = Conversation.Questions[_next++ % Conversation.Questions.Length];
        var explanation = await _pipeline.ExplainContextAsync(_session.SessionId, question);
        return explanation.TokenCount;
    }
}
