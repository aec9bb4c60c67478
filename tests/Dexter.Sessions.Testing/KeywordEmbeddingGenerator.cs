using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Testing;

/// <summary>
/// A fake embedding model for tests: each text maps to a vector with one dimension per topic it mentions, where a topic is a
/// set of words that mean the same (so "feline" and "cat" embed alike, as a real model would embed paraphrases). Counts its calls
/// and texts, and can be made to fail or to hang.
/// </summary>
public sealed class KeywordEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private static readonly string[][] DefaultTopics =
    [
        ["cat", "cats", "feline", "kitten", "tabby"],
        ["dog", "dogs", "puppy", "canine"],
        ["car", "cars", "vehicle", "drive", "drove"],
        ["rain", "weather", "sunny", "forecast"],
        ["food", "dinner", "lunch", "pasta", "eat"],
        ["work", "job", "office", "colleague"],
        ["move", "moved", "relocate", "relocated", "city"],
        ["music", "song", "guitar", "concert"],
    ];

    private readonly string[][] _topics;
    private int _calls;

    /// <summary>Initializes a generator over the given topics, or a default set (pets, cars, weather, food, work, moving, music).</summary>
    public KeywordEmbeddingGenerator(string[][]? topics = null) => _topics = topics ?? DefaultTopics;

    /// <summary>Gets the number of calls so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Gets every text embedded so far, in order.</summary>
    public List<string> Texts { get; } = [];

    /// <summary>Gets or sets an exception every call throws, when set.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Gets or sets whether calls wait until they are cancelled.</summary>
    public bool Hang { get; set; }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        if (Hang)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        if (Failure is not null)
        {
            throw Failure;
        }

        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            lock (Texts)
            {
                Texts.Add(value);
            }

            result.Add(new Embedding<float>(Embed(value)));
        }

        return result;
    }

    /// <summary>The vector of a text: one dimension per topic, plus a small constant one so that no vector is zero.</summary>
    public float[] Embed(string text)
    {
        var vector = new float[_topics.Length + 1];
        var words = text.ToLowerInvariant().Split([' ', '.', ',', '?', '!', '\n', ':'], StringSplitOptions.RemoveEmptyEntries);
        for (var t = 0; t < _topics.Length; t++)
        {
            vector[t] = words.Count(w => _topics[t].Contains(w));
        }

        vector[^1] = 0.1f;
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] /= norm;
        }

        return vector;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
