using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Benchmarks;

/// <summary>
/// The time from the model's last token to the recorded turn with LLM summaries on and a summarizer that takes 2 s: with the
/// background <see cref="SessionSummaryWorker"/> (the default under <c>AddDexterSessions()</c>) against summarizing before the
/// turn is recorded. The model streams its answer at once, so the whole streamed turn is an upper bound on last token → recorded.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 15, invocationCount: 64, id: "Background")]
public class SummaryOffPathBenchmarks
{
    private const int Sessions = 64;
    private TokenModel _model = null!;
    private InMemorySessionStore _store = null!;
    private SessionSummaryWorker _worker = null!;
    private DexterAgent _background = null!;
    private string[] _sessionIds = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _model = new TokenModel();
        _store = new InMemorySessionStore();
        var options = Options.Create(new DexterSessionsOptions { SummarizeWithLlm = true, SummaryQueueCapacity = 1_000_000 });
        _worker = new SessionSummaryWorker(options);
        _background = new DexterAgent(_model, new SessionTurnPipeline(_store, new TwoSecondSummarizer(), null, options, null, null, null, _worker));
        _sessionIds = Enumerable.Range(0, Sessions).Select(_ => SessionId.New()).ToArray();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        // Ends the queued 2 s summaries at once: each sees its token cancelled.
        await _worker.StopAsync(new CancellationToken(canceled: true));
        await _worker.DisposeAsync();
        _store.Dispose();
    }

    [Benchmark(Description = "streamed turn to recorded, 2 s summarizer in the background")]
    public async Task<int> RecordedTurn_BackgroundSummary()
    {
        var id = 0;
        await foreach (var update in _background.RunStreamingAsync("Why is it valuable?", _sessionIds[Interlocked.Increment(ref _next) % Sessions]))
        {
            id = update.Turn?.Id ?? id;
        }

        return id;
    }
}

/// <summary>The same turn with the 2 s summarizer on the answer's path (no worker): what the answer waited for before.</summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1, id: "Inline")]
public class SummaryOnPathBenchmarks
{
    private InMemorySessionStore _store = null!;
    private DexterAgent _inline = null!;
    private readonly string _sessionId = SessionId.New();

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemorySessionStore();
        _inline = new DexterAgent(new TokenModel(), _store, new TwoSecondSummarizer(), null, Options.Create(new DexterSessionsOptions { SummarizeWithLlm = true }));
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [Benchmark(Description = "streamed turn to recorded, 2 s summarizer before recording")]
    public async Task<int> RecordedTurn_InlineSummary()
    {
        var id = 0;
        await foreach (var update in _inline.RunStreamingAsync("Why is it valuable?", _sessionId))
        {
            id = update.Turn?.Id ?? id;
        }

        return id;
    }
}

/// <summary>A model summarizer that takes 2 s.</summary>
public sealed class TwoSecondSummarizer : ISummarizer
{
    public async ValueTask<string> SummarizeAsync(string query, string answer, CancellationToken cancellationToken = default)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        return "A summary written by the model.";
    }
}
