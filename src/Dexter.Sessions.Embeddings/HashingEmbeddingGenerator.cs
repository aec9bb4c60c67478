using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Embeddings;

/// <summary>
/// An offline <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> that embeds text by feature hashing: no model file, no network.
/// </summary>
/// <remarks>
/// <para>Text is lower-cased and split into words (runs of letters and digits). Each word other than a common English
/// stop word, each pair of consecutive such words, and each character trigram of a word (with start and end markers, so
/// "deploy" and "deployment" share most features) is hashed with a fixed 64-bit FNV-1a hash into one of
/// <see cref="Dimensions"/> signed buckets. The vector is then L2-normalized, so the dot product of two vectors is their
/// cosine similarity.</para>
/// <para>The same text gives the same vector in every process, on every machine and in every version that keeps
/// <see cref="DefaultModelId"/>. The generator holds no mutable state and is safe to use from many threads.</para>
/// <para>It measures word overlap, not meaning: synonyms that share no word or trigram score low. Register a real model
/// (OpenAI, Ollama, ONNX) as the application's <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> for that.</para>
/// </remarks>
public sealed class HashingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The default of <see cref="Dimensions"/>.</summary>
    public const int DefaultDimensions = 384;

    /// <summary>The model id reported in the metadata and on every embedding; it changes when the features change.</summary>
    public const string DefaultModelId = "dexter-hashing-v1";

    /// <summary>The provider name reported in the metadata.</summary>
    public const string ProviderName = "dexter-hashing";

    private const int MaxWordLength = 64;
    private const float WordWeight = 1f;
    private const float PairWeight = 0.5f;
    private const float TrigramWeight = 0.35f;
    private const ulong WordSeed = 0x9E3779B97F4A7C15;
    private const ulong TrigramSeed = 0xC2B2AE3D27D4EB4F;
    private const ulong FnvOffsetBasis = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    private static readonly HashSet<ulong> StopWordHashes = CreateStopWordHashes();

    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Initializes a generator.</summary>
    /// <param name="dimensions">The length of the vectors; at least 1, the default is 384.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is less than 1.</exception>
    public HashingEmbeddingGenerator(int dimensions = DefaultDimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, DefaultModelId, dimensions);
    }

    /// <summary>Gets the length of the vectors, unless a call asks for another with <see cref="EmbeddingGenerationOptions.Dimensions"/>.</summary>
    public int Dimensions { get; }

    /// <summary>Embeds each of <paramref name="values"/>.</summary>
    /// <param name="values">The texts to embed; none may be <see langword="null"/>.</param>
    /// <param name="options">Options; only <see cref="EmbeddingGenerationOptions.Dimensions"/> is used, to ask for another vector length.</param>
    /// <param name="cancellationToken">A token to cancel the work; it is checked before each text.</param>
    /// <returns>One L2-normalized embedding per text, in order. A text without any word gives a vector of zeros.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="EmbeddingGenerationOptions.Dimensions"/> is less than 1.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var dimensions = options?.Dimensions ?? Dimensions;
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1, "options.Dimensions");

        var embeddings = new GeneratedEmbeddings<Embedding<float>>(values is ICollection<string> collection ? collection.Count : 4);
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ArgumentNullException.ThrowIfNull(value, nameof(values));
            var vector = new float[dimensions];
            Embed(value, vector);
            embeddings.Add(new Embedding<float>(vector) { ModelId = DefaultModelId });
        }

        return Task.FromResult(embeddings);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Does nothing: the generator holds no resources.</summary>
    public void Dispose()
    {
    }

    /// <summary>Writes the L2-normalized feature-hashing vector of <paramref name="text"/> into <paramref name="vector"/>.</summary>
    internal static void Embed(ReadOnlySpan<char> text, Span<float> vector)
    {
        vector.Clear();
        Span<char> marked = stackalloc char[MaxWordLength + 2];
        marked[0] = '<';
        var previousWord = 0UL;
        var hasPreviousWord = false;
        var position = 0;
        while (position < text.Length)
        {
            while (position < text.Length && !char.IsLetterOrDigit(text[position]))
            {
                position++;
            }

            var length = 0;
            while (position < text.Length && char.IsLetterOrDigit(text[position]))
            {
                if (length < MaxWordLength)
                {
                    marked[1 + length++] = char.ToLowerInvariant(text[position]);
                }

                position++;
            }

            if (length == 0)
            {
                break;
            }

            var word = marked.Slice(1, length);
            var wordHash = Hash(word, WordSeed);
            if (StopWordHashes.Contains(wordHash))
            {
                continue;
            }

            Add(vector, wordHash, WordWeight);
            if (hasPreviousWord)
            {
                Add(vector, (previousWord * FnvPrime) ^ Mix(wordHash), PairWeight);
            }

            previousWord = wordHash;
            hasPreviousWord = true;

            marked[length + 1] = '>';
            var withMarkers = marked[..(length + 2)];
            for (var start = 0; start + 3 <= withMarkers.Length; start++)
            {
                Add(vector, Hash(withMarkers.Slice(start, 3), TrigramSeed), TrigramWeight);
            }
        }

        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }

    private static void Add(Span<float> vector, ulong featureHash, float weight)
    {
        var mixed = Mix(featureHash);
        var bucket = (int)((mixed >> 1) % (ulong)vector.Length);
        vector[bucket] += (mixed & 1) == 0 ? weight : -weight;
    }

    /// <summary>FNV-1a over the UTF-16 code units of <paramref name="text"/>, started from a seed; fixed across processes and platforms.</summary>
    private static ulong Hash(ReadOnlySpan<char> text, ulong seed)
    {
        var hash = FnvOffsetBasis ^ seed;
        foreach (var c in text)
        {
            hash = (hash ^ (byte)c) * FnvPrime;
            hash = (hash ^ (byte)(c >> 8)) * FnvPrime;
        }

        return hash;
    }

    /// <summary>The 64-bit finalizer of MurmurHash3, so that every bit of the bucket depends on every bit of the hash.</summary>
    private static ulong Mix(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCD;
        hash ^= hash >> 33;
        hash *= 0xC4CEB9FE1A85EC53;
        hash ^= hash >> 33;
        return hash;
    }

    private static HashSet<ulong> CreateStopWordHashes()
    {
        string[] words =
        [
            "a", "about", "above", "across", "after", "afterwards", "again", "against", "all", "almost", "alone", "along",
            "already", "also", "although", "always", "am", "among", "an", "and", "another", "any", "anyhow", "anyone",
            "anything", "anyway", "anywhere", "are", "around", "as", "at", "back", "be", "became", "because", "become",
            "becomes", "been", "before", "beforehand", "behind", "being", "below", "beside", "besides", "between", "beyond",
            "both", "but", "by", "can", "cannot", "could", "did", "do", "does", "doing", "done", "down", "during", "each",
            "earlier", "eg", "either", "else", "elsewhere", "enough", "etc", "even", "ever", "every", "everyone", "everything",
            "everywhere", "except", "few", "for", "former", "formerly", "from", "further", "get", "gets", "getting", "give",
            "given", "go", "goes", "going", "got", "had", "has", "have", "having", "he", "hence", "her", "here", "hers",
            "herself", "him", "himself", "his", "how", "however", "i", "ie", "if", "in", "indeed", "into", "is", "it", "its",
            "itself", "just", "last", "later", "latter", "least", "less", "let", "like", "many", "may", "me", "meanwhile",
            "might", "mine", "more", "moreover", "most", "mostly", "much", "must", "my", "myself", "namely", "neither", "never",
            "nevertheless", "next", "no", "nobody", "none", "nor", "not", "nothing", "now", "nowhere", "of", "off", "often",
            "on", "once", "one", "only", "onto", "or", "other", "others", "otherwise", "our", "ours", "ourselves", "out", "over",
            "own", "per", "perhaps", "please", "put", "rather", "really", "regarding", "said", "same", "say", "says",
            "see", "seem", "seemed", "seems", "several", "she", "should", "since", "so", "some", "somehow", "someone",
            "something", "sometime", "sometimes", "somewhere", "still", "such", "take", "tell", "than", "thank",
            "thanks", "that", "the", "their", "theirs", "them", "themselves", "then", "thence", "there", "thereafter", "thereby",
            "therefore", "therein", "these", "they", "thing", "things", "this", "those", "though", "through", "throughout",
            "thus", "to", "together", "too", "toward", "towards", "under", "until", "up", "upon", "us", "very", "via", "was",
            "way", "we", "well", "were", "what", "whatever", "when", "whence", "whenever", "where", "whereas", "wherever",
            "whether", "which", "while", "who", "whoever", "whole", "whom", "whose", "why", "will", "with", "within", "without",
            "would", "yet", "you", "your", "yours", "yourself", "yourselves",
        ];
        var hashes = new HashSet<ulong>();
        foreach (var word in words)
        {
            hashes.Add(Hash(word, WordSeed));
        }

        return hashes;
    }
}
