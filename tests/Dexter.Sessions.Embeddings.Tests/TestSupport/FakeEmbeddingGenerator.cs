using System.Collections.Concurrent;
using Dexter.Sessions.Embeddings;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Embeddings.Tests.TestSupport;

/// <summary>
/// A hand-written embedding generator for tests: records every call and its texts, and embeds through a replaceable
/// callback. By default it embeds with <see cref="HashingEmbeddingGenerator"/>.
/// </summary>
internal sealed class FakeEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly HashingEmbeddingGenerator _hashing = new();
    private readonly ConcurrentQueue<IReadOnlyList<string>> _calls = new();

    /// <summary>Gets or sets the embedding of one text; the hashing generator's when <see langword="null"/>.</summary>
    public Func<string, float[]>? OnEmbed { get; set; }

    /// <summary>Gets or sets the whole call, replacing <see cref="OnEmbed"/>; receives the texts and the token.</summary>
    public Func<IReadOnlyList<string>, CancellationToken, Task<GeneratedEmbeddings<Embedding<float>>>>? OnGenerate { get; set; }

    /// <summary>Gets every call's texts, in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Calls => _calls.ToArray();

    /// <summary>Gets the number of calls.</summary>
    public int CallCount => _calls.Count;

    public void ResetCalls() => _calls.Clear();

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToList();
        _calls.Enqueue(texts);
        if (OnGenerate is not null)
        {
            return await OnGenerate(texts, cancellationToken);
        }

        if (OnEmbed is not null)
        {
            return new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => new Embedding<float>(OnEmbed(t))));
        }

        return await _hashing.GenerateAsync(texts, options, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
