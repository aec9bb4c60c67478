using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.Benchmarks;

/// <summary>
/// Top-k selection of context turns over N cached 384-dimension unit vectors: the float32 scan (one
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per turn) and the quantized scan (an int8 first
/// pass, then exact re-scoring) against bare passes over the same bytes, the cosine scan they replace, and the whole selector
/// on a warm history. Every turn passes the threshold, so every turn is offered to the heap: the worst case for the heap.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class TopKSelectionBenchmarks
{
    public const int Dimensions = 384;
    public const int K = 10;

    private float[] _vectors = null!;
    private sbyte[] _codes = null!;
    private float[] _query = null!;
    private Message[] _turns = null!;
    private ScanIndex _floatIndex = null!;
    private ScanIndex _quantizedIndex = null!;
    private EmbeddingMessageSelector _selector = null!;
    private EmbeddingMessageSelector _quantizedSelector = null!;
    private MessageSelectionContext _context = null!;

    [Params(100_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_vectors, _turns, _query) = Data.Create(N, seed: 42);
        _floatIndex = new ScanIndex(quantized: false);
        _floatIndex.Prepare(_turns, Dimensions);
        _quantizedIndex = new ScanIndex(quantized: true);
        var start = _quantizedIndex.Prepare(_turns, Dimensions);
        _codes = _quantizedIndex.Codes.Slice(start * Dimensions, N * Dimensions).ToArray();
        _selector = CreateSelector(quantized: false);
        _quantizedSelector = CreateSelector(quantized: true);
        _context = new MessageSelectionContext("query", _turns, K) { SessionId = "benchmark" };
    }

    [Benchmark(Baseline = true, Description = "Bare pass: TensorPrimitives.Sum over the float32 vectors")]
    public float BareFloatPass() => TensorPrimitives.Sum(_vectors);

    [Benchmark(Description = "Bare pass row by row: TensorPrimitives.Sum per vector")]
    public float BareFloatPassPerRow()
    {
        var sum = 0f;
        foreach (var turn in _turns)
        {
            sum += TensorPrimitives.Sum(turn.Embedding.Span);
        }

        return sum;
    }

    [Benchmark(Description = "Float32 top-k (Dot, unit vectors)")]
    public Message[] Float32() => RelevanceRanking.SelectTop(_query, _turns, K, 0.7f, 0.3f, -1f, _floatIndex);

    [Benchmark(Description = "Quantized top-k (int8 pass + exact re-scoring)")]
    public Message[] Quantized() => RelevanceRanking.SelectTop(_query, _turns, K, 0.7f, 0.3f, -1f, _quantizedIndex);

    [Benchmark(Description = "Bare pass: TensorPrimitives.Sum over the int8 codes")]
    public sbyte BareInt8Pass() => TensorPrimitives.Sum<sbyte>(_codes);

    [Benchmark(Description = "Cosine top-k (before: CosineSimilarity per turn)")]
    public Message[] Cosine() => CosineRanking.SelectTop(_query, _turns, K, 0.7f, 0.3f, -1f);

    [Benchmark(Description = "EmbeddingMessageSelector.SelectAsync (warm, float32)")]
    public IReadOnlyList<Message> Selector() => _selector.SelectAsync(_context).AsTask().GetAwaiter().GetResult().Turns;

    [Benchmark(Description = "EmbeddingMessageSelector.SelectAsync (warm, quantized)")]
    public IReadOnlyList<Message> QuantizedSelector() => _quantizedSelector.SelectAsync(_context).AsTask().GetAwaiter().GetResult().Turns;

    private EmbeddingMessageSelector CreateSelector(bool quantized) => new(
        new FixedEmbeddingGenerator(_query),
        Options.Create(new EmbeddingSelectorOptions { SimilarityThreshold = -1, MaxCandidates = N, UseQuantizedScan = quantized }));

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // In process: building a separate benchmark process can exceed BenchmarkDotNet's build timeout on a loaded machine.
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithToolchain(InProcessEmitToolchain.Instance).WithId("Short"));
            AddColumn(new ScannedBandwidthColumn(), new RecallColumn());
            SummaryStyle = BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend);
        }
    }

    /// <summary>A generator that returns one fixed vector, so the selector benchmark measures selection, not embedding.</summary>
    private sealed class FixedEmbeddingGenerator(float[] vector) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly Task<GeneratedEmbeddings<Embedding<float>>> _result = Task.FromResult(new GeneratedEmbeddings<Embedding<float>>([new Embedding<float>(vector)]));

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) => _result;

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
