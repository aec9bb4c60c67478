using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.Benchmarks;

/// <summary>
/// Top-k selection of context turns over N cached 384-dimension vectors: the library's TensorPrimitives path against a
/// plain scalar loop, the whole selector on a warm history, and a plain pass over the same float array (the memory-bandwidth
/// limit). Every turn passes the threshold, so every turn is offered to the heap: the worst case for the heap.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class TopKSelectionBenchmarks
{
    public const int Dimensions = 384;
    private const int K = 10;

    private float[] _vectors = null!;
    private float[] _query = null!;
    private Message[] _turns = null!;
    private EmbeddingMessageSelector _selector = null!;
    private MessageSelectionContext _context = null!;

    [Params(10_000, 100_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _vectors = new float[N * Dimensions];
        for (var i = 0; i < _vectors.Length; i++)
        {
            _vectors[i] = (float)(random.NextDouble() - 0.5);
        }

        _turns = new Message[N];
        for (var i = 0; i < N; i++)
        {
            var vector = _vectors.AsSpan(i * Dimensions, Dimensions);
            TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
            _turns[i] = new Message
            {
                Id = i + 1,
                Query = "q",
                Answer = "a",
                Embedding = _vectors.AsMemory(i * Dimensions, Dimensions),
            };
        }

        _query = new float[Dimensions];
        for (var i = 0; i < Dimensions; i++)
        {
            _query[i] = (float)(random.NextDouble() - 0.5);
        }

        TensorPrimitives.Divide(_query, TensorPrimitives.Norm(_query), _query);
        _selector = new EmbeddingMessageSelector(
            new FixedEmbeddingGenerator(_query),
            Options.Create(new EmbeddingSelectorOptions { SimilarityThreshold = -1, MaxCandidates = N }));
        _context = new MessageSelectionContext("query", _turns, K);
    }

    [Benchmark(Baseline = true, Description = "Scalar loop top-k")]
    public Message[] ScalarLoop() => ScalarRanking.SelectTop(_query, _turns, K, 0.7f, 0.3f, -1f);

    [Benchmark(Description = "TensorPrimitives top-k")]
    public Message[] TensorPrimitivesPath() => RelevanceRanking.SelectTop(_query, _turns, K, 0.7f, 0.3f, -1f);

    [Benchmark(Description = "EmbeddingMessageSelector.SelectAsync (warm)")]
    public IReadOnlyList<Message> Selector() => _selector.SelectAsync(_context).AsTask().GetAwaiter().GetResult().Turns;

    [Benchmark(Description = "Plain pass: TensorPrimitives.Sum")]
    public float PlainPass() => TensorPrimitives.Sum(_vectors);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Short"));
            AddColumn(new ScannedBandwidthColumn());
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
