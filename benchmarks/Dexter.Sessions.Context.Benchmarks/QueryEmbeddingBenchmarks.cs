using BenchmarkDotNet.Attributes;
using Dexter.Sessions.Embeddings.MiniLM;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Context.Benchmarks;

/// <summary>
/// The MiniLM part of a context built with vectors: embedding one question, the same twenty questions in turn, with ONNX Runtime's
/// default threads (0: one per core) and with one thread. Run beside <see cref="ContextBuildingBenchmarks"/>, so the two compare
/// within one run on a shared machine.
/// </summary>
[Config(typeof(ContextBenchmarkConfig))]
public class QueryEmbeddingBenchmarks
{
    private MiniLMEmbeddingGenerator _generator = null!;
    private int _next;

    [Params(0, 1)]
    public int InferenceThreads { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _generator = new MiniLMEmbeddingGenerator(Options.Create(new MiniLMEmbeddingGeneratorOptions { InferenceThreads = InferenceThreads }));
        await _generator.GenerateAsync(["warm up"]);
    }

    [GlobalCleanup]
    public void Cleanup() => _generator.Dispose();

    [Benchmark(Description = "embed one question")]
    public async Task<int> EmbedQuestion()
    {
        var question = Conversation.Questions[_next++ % Conversation.Questions.Length];
        var embeddings = await _generator.GenerateAsync([question]);
        return embeddings[0].Vector.Length;
    }
}
