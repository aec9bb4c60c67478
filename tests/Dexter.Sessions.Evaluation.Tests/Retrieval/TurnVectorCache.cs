using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Evaluation.Tests.Retrieval;

/// <summary>
/// Shares one embedding model across the configurations and budgets of the evaluation: a text embedded once is served from memory
/// afterwards (the model gives the same vector for the same text), and the time the model took for it is counted in
/// <see cref="ServedModelTime"/>, so that the evaluation can report times as they would be without the cache.
/// </summary>
/// <remarks>
/// Without the cache, every turn would be embedded one text per call, twice (its query when its context is selected, its summary
/// when it is stored) per MiniLM configuration, and every question once per configuration and budget.
/// </remarks>
internal sealed class TurnVectorCache(IEmbeddingGenerator<string, Embedding<float>> model) : DelegatingEmbeddingGenerator<string, Embedding<float>>(model)
{
    private readonly ConcurrentDictionary<string, (Embedding<float> Vector, TimeSpan ModelTime)> _vectors = new(StringComparer.Ordinal);
    private long _servedTicks;

    /// <summary>Gets how many texts the model embedded.</summary>
    public int ModelCalls { get; private set; }

    /// <summary>Gets the time the model took, when they were first embedded, for the vectors served from memory since.</summary>
    public TimeSpan ServedModelTime => TimeSpan.FromTicks(Interlocked.Read(ref _servedTicks));

    /// <summary>Embeds <paramref name="texts"/> in one call (the model batches them), so they are served from memory afterwards.</summary>
    public Task PrimeAsync(IEnumerable<string> texts, CancellationToken cancellationToken = default) =>
        GenerateAsync(texts.Distinct(StringComparer.Ordinal), cancellationToken: cancellationToken);

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] texts = [.. values];
        var missing = texts.Where(t => !_vectors.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToArray();
        var fresh = new HashSet<string>(missing, StringComparer.Ordinal);
        if (missing.Length > 0)
        {
            var watch = Stopwatch.StartNew();
            var generated = await base.GenerateAsync(missing, options, cancellationToken).ConfigureAwait(false);
            var share = watch.Elapsed / missing.Length;
            ModelCalls += missing.Length;
            for (var i = 0; i < missing.Length; i++)
            {
                _vectors[missing[i]] = (generated[i], share);
            }
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        foreach (var text in texts)
        {
            var (vector, modelTime) = _vectors[text];
            if (!fresh.Contains(text))
            {
                Interlocked.Add(ref _servedTicks, modelTime.Ticks);
            }

            result.Add(vector);
        }

        return result;
    }
}
