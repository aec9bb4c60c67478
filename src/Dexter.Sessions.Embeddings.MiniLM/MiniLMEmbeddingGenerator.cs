using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.MiniLM;

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> that runs all-MiniLM-L6-v2 (or another sentence-transformers BERT-family
/// model in ONNX) in process with ONNX Runtime: 384-dimension, L2-normalized sentence embeddings, with nothing downloaded at run time.
/// </summary>
/// <remarks>
/// <para>Each text is lower-cased, stripped of accents and split into WordPiece tokens by <c>Microsoft.ML.Tokenizers</c>'
/// <c>BertTokenizer</c>; at most <see cref="MiniLMEmbeddingGeneratorOptions.MaxTokens"/> tokens (256), counting <c>[CLS]</c> and
/// <c>[SEP]</c>, are kept, the rest of a longer text is cut off. The model's token states are averaged over the attention mask and
/// the mean is L2-normalized, as sentence-transformers does, so the dot product of two vectors is their cosine similarity. An
/// empty text is embedded as <c>[CLS] [SEP]</c>.</para>
/// <para>The model is loaded once, on the first call (in about a second), into one ONNX Runtime session that every call shares; the
/// generator is safe to use from many threads. A call groups its texts by length into batches of
/// <see cref="MiniLMEmbeddingGeneratorOptions.BatchSize"/>, padded within a batch, and runs them on the calling thread; its
/// cancellation token is checked before each batch and stops a batch that is running.</para>
/// </remarks>
public sealed partial class MiniLMEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The provider name reported in the metadata.</summary>
    public const string ProviderName = "onnxruntime";

    /// <summary>The model id of the bundled model, reported in the metadata and on every embedding.</summary>
    public const string DefaultModelId = BundledModel.ModelId;

    /// <summary>The length of the bundled model's vectors.</summary>
    public const int DefaultDimensions = BundledModel.Dimensions;

    private readonly MiniLMEmbeddingGeneratorOptions _options;
    private readonly ILogger _logger;
    private readonly object _loadLock = new();
    private SentenceModel? _model;
    private EmbeddingGeneratorMetadata _metadata;
    private int _activeCalls;
    private int _disposed;
    private int _released;

    /// <summary>Initializes a generator; the model is loaded on the first call.</summary>
    /// <param name="options">The model and its settings; the bundled all-MiniLM-L6-v2 with the defaults when <see langword="null"/>.</param>
    /// <param name="logger">Logs the model load and its failures.</param>
    /// <exception cref="ArgumentException">The options are not valid (for example <see cref="MiniLMEmbeddingGeneratorOptions.ModelPath"/>
    /// names no file); the message names each setting to correct.</exception>
    public MiniLMEmbeddingGenerator(IOptions<MiniLMEmbeddingGeneratorOptions>? options = null, ILogger<MiniLMEmbeddingGenerator>? logger = null)
    {
        var value = options?.Value ?? new MiniLMEmbeddingGeneratorOptions();
        var validation = MiniLMEmbeddingGeneratorOptionsValidator.Instance.Validate(Options.DefaultName, value);
        if (validation.Failed)
        {
            throw new ArgumentException(validation.FailureMessage, nameof(options));
        }

        // A copy, so that later changes to the caller's instance change nothing here.
        _options = new MiniLMEmbeddingGeneratorOptions
        {
            ModelPath = value.ModelPath,
            VocabularyPath = value.VocabularyPath,
            ModelId = value.ModelId,
            MaxTokens = value.MaxTokens,
            BatchSize = value.BatchSize,
            LowerCase = value.LowerCase,
            InferenceThreads = value.InferenceThreads,
        };
        ModelId = value.ModelId ?? (value.ModelPath is { } path ? Path.GetFileNameWithoutExtension(path) : DefaultModelId);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _metadata = new EmbeddingGeneratorMetadata(
            ProviderName,
            providerUri: null,
            ModelId,
            value.ModelPath is null ? DefaultDimensions : null);
    }

    /// <summary>Gets the model id reported in the metadata and on every embedding.</summary>
    public string ModelId { get; }

    /// <summary>Embeds each of <paramref name="values"/>.</summary>
    /// <param name="values">The texts to embed; none may be <see langword="null"/>. An empty text is embedded as <c>[CLS] [SEP]</c>.</param>
    /// <param name="options">Options; <see cref="EmbeddingGenerationOptions.Dimensions"/>, when set, must be the model's.</param>
    /// <param name="cancellationToken">A token to cancel the work; it is checked before each batch and stops a running batch.</param>
    /// <returns>One L2-normalized embedding per text, in order, and the number of tokens the model read in <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its texts is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="EmbeddingGenerationOptions.Dimensions"/> asks for another length than the model's.</exception>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">The model could not be used: its inputs or outputs are not those of a sentence-transformers BERT model.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] texts = [.. values];
        foreach (var text in texts)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(values));
        }

        cancellationToken.ThrowIfCancellationRequested();
        EnterCall();
        try
        {
            var model = GetModel();
            if (options?.Dimensions is { } dimensions && dimensions != model.Dimensions)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(options),
                    dimensions,
                    $"The model {ModelId} gives vectors of {model.Dimensions} dimensions; EmbeddingGenerationOptions.Dimensions asked for {dimensions}. Leave it unset.");
            }

            return Task.FromResult(Embed(model, texts, cancellationToken));
        }
        finally
        {
            ExitCall();
        }
    }

    /// <summary>Returns the generator's <see cref="EmbeddingGeneratorMetadata"/>, or the generator itself, when asked for without a key.</summary>
    /// <param name="serviceType">The type of the service.</param>
    /// <param name="serviceKey">A key; with one, nothing is returned.</param>
    /// <returns>The service, or <see langword="null"/>.</returns>
    /// <remarks>
    /// The metadata gives the provider name, the model id and the vector length: 384 for the bundled model; for a model given by
    /// <see cref="MiniLMEmbeddingGeneratorOptions.ModelPath"/>, the length is known once the model is loaded, by the first call.
    /// </remarks>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return Volatile.Read(ref _metadata);
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Releases the model; calls after this one throw <see cref="ObjectDisposedException"/>. Calling it again does nothing.</summary>
    /// <remarks>Calls that are running finish first: the model is released when the last of them returns.</remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (Volatile.Read(ref _activeCalls) == 0)
        {
            Release();
        }
    }

    /// <summary>Gets the loaded model, loading it on the first call.</summary>
    internal SentenceModel GetModel()
    {
        if (Volatile.Read(ref _model) is { } model)
        {
            return model;
        }

        lock (_loadLock)
        {
            return _model ??= Load();
        }
    }

    private SentenceModel Load()
    {
        var source = _options.ModelPath ?? BundledModel.Source;
        var stopwatch = Stopwatch.StartNew();
        SentenceModel model;
        try
        {
            model = SentenceModel.Load(_options);
        }
        catch (Exception exception)
        {
            Log.ModelLoadFailed(_logger, ModelId, source, exception);
            throw;
        }

        Log.ModelLoaded(_logger, ModelId, source, stopwatch.Elapsed.TotalMilliseconds, model.Dimensions, string.Join(", ", model.InputNames), model.OutputName);
        Volatile.Write(ref _metadata, new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, ModelId, model.Dimensions));
        return model;
    }

    private GeneratedEmbeddings<Embedding<float>> Embed(SentenceModel model, string[] texts, CancellationToken cancellationToken)
    {
        var tokens = new int[texts.Length][];
        var lengths = new int[texts.Length];
        var truncated = 0;
        var tokenCount = 0L;
        for (var i = 0; i < texts.Length; i++)
        {
            tokens[i] = model.Tokenize(texts[i], out var cut);
            lengths[i] = tokens[i].Length;
            tokenCount += lengths[i];
            truncated += cut ? 1 : 0;
        }

        if (truncated > 0)
        {
            Log.TextsTruncated(_logger, truncated, texts.Length, _options.MaxTokens);
        }

        // Texts of similar length share a batch, so that little of it is padding.
        var order = new int[texts.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(lengths, order);

        var vectors = new float[texts.Length][];
        var batchTokens = new int[Math.Min(_options.BatchSize, texts.Length)][];
        var batchVectors = new float[batchTokens.Length][];
        for (var start = 0; start < order.Length; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(_options.BatchSize, order.Length - start);
            for (var i = 0; i < count; i++)
            {
                batchTokens[i] = tokens[order[start + i]];
            }

            model.Embed(batchTokens.AsSpan(0, count), batchVectors.AsSpan(0, count), cancellationToken);
            for (var i = 0; i < count; i++)
            {
                vectors[order[start + i]] = batchVectors[i];
            }
        }

        var embeddings = new GeneratedEmbeddings<Embedding<float>>(texts.Length)
        {
            Usage = new UsageDetails { InputTokenCount = tokenCount, TotalTokenCount = tokenCount },
        };
        foreach (var vector in vectors)
        {
            embeddings.Add(new Embedding<float>(vector) { ModelId = ModelId });
        }

        return embeddings;
    }

    private void EnterCall()
    {
        Interlocked.Increment(ref _activeCalls);
        if (Volatile.Read(ref _disposed) == 1)
        {
            ExitCall();
            throw new ObjectDisposedException(nameof(MiniLMEmbeddingGenerator));
        }
    }

    private void ExitCall()
    {
        if (Interlocked.Decrement(ref _activeCalls) == 0 && Volatile.Read(ref _disposed) == 1)
        {
            Release();
        }
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            lock (_loadLock)
            {
                _model?.Dispose();
                _model = null;
            }
        }
    }
}
