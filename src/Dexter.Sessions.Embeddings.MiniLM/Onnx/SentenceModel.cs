using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Dexter.Sessions.Embeddings.MiniLM;

/// <summary>
/// One loaded sentence-transformers model: its WordPiece tokenizer and one ONNX Runtime session, shared by every call (both are
/// safe to use from many threads). Turns texts into token ids as sentence-transformers does, and runs padded batches through the
/// model with attention-mask mean pooling and L2 normalization.
/// </summary>
internal sealed class SentenceModel : IDisposable
{
    private const string InputIdsName = "input_ids";
    private const string AttentionMaskName = "attention_mask";
    private const string TokenTypeIdsName = "token_type_ids";

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly string[] _outputNames;
    private readonly bool _takesAttentionMask;
    private readonly bool _takesTokenTypeIds;
    private readonly int _maxTokens;

    private SentenceModel(InferenceSession session, BertTokenizer tokenizer, string outputName, int dimensions, int maxTokens)
    {
        _session = session;
        _tokenizer = tokenizer;
        _outputNames = [outputName];
        _takesAttentionMask = session.InputMetadata.ContainsKey(AttentionMaskName);
        _takesTokenTypeIds = session.InputMetadata.ContainsKey(TokenTypeIdsName);
        _maxTokens = maxTokens;
        Dimensions = dimensions;
    }

    /// <summary>Gets the length of the model's vectors.</summary>
    public int Dimensions { get; }

    /// <summary>Gets the names of the model's inputs, in the model's order.</summary>
    public IReadOnlyList<string> InputNames => [.. _session.InputMetadata.Keys];

    /// <summary>Gets the name of the model output that is pooled.</summary>
    public string OutputName => _outputNames[0];

    /// <summary>Loads the tokenizer and the model of <paramref name="options"/>: the files it names, or the bundled all-MiniLM-L6-v2.</summary>
    /// <exception cref="InvalidOperationException">The model does not have the inputs or the output of a sentence-transformers BERT model.</exception>
    public static SentenceModel Load(MiniLMEmbeddingGeneratorOptions options)
    {
        var bertOptions = new BertOptions
        {
            LowerCaseBeforeTokenization = options.LowerCase,
            RemoveNonSpacingMarks = options.LowerCase,
        };
        BertTokenizer tokenizer;
        using (var vocabulary = options.VocabularyPath is { } vocabularyPath ? File.OpenRead(vocabularyPath) : BundledModel.OpenVocabulary())
        {
            tokenizer = BertTokenizer.Create(vocabulary, bertOptions);
        }

        // Without the CPU arena, the memory of a run is returned when it ends: after batches of 32 texts of 256 tokens, the process
        // keeps about 400 MB instead of 800 MB, and the measured speed did not differ beyond the noise of the runs.
        using var sessionOptions = new SessionOptions { EnableCpuMemArena = false };
        if (options.InferenceThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = options.InferenceThreads;
        }

        var modelName = options.ModelPath ?? BundledModel.Source;
        var session = options.ModelPath is { } modelPath
            ? new InferenceSession(modelPath, sessionOptions)
            : new InferenceSession(BundledModel.ReadModel(), sessionOptions);
        try
        {
            CheckInputs(session, modelName);
            var (outputName, dimensions) = FindTokenStates(session, modelName);
            if (options.ModelPath is null && dimensions != BundledModel.Dimensions)
            {
                throw new InvalidOperationException($"{modelName} gives vectors of {dimensions} dimensions where all-MiniLM-L6-v2 has {BundledModel.Dimensions}.");
            }

            return new SentenceModel(session, tokenizer, outputName, dimensions, options.MaxTokens);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Splits <paramref name="text"/> into word pieces and frames them with <c>[CLS]</c> and <c>[SEP]</c>; pieces beyond
    /// <see cref="MiniLMEmbeddingGeneratorOptions.MaxTokens"/> (counting the two) are cut off, even within a word, as the
    /// Hugging Face tokenizer of sentence-transformers cuts them.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="truncated">Whether pieces were cut off.</param>
    /// <returns>The token ids, at most <see cref="MiniLMEmbeddingGeneratorOptions.MaxTokens"/> of them.</returns>
    public int[] Tokenize(string text, out bool truncated)
    {
        var room = _maxTokens - 2;

        // The tokenizer stops at the end of a whole word; asking for as many more pieces as one word can have (a longer word is one
        // [UNK]) makes sure that the first `room` pieces are all there, without splitting the rest of a long text.
        var pieces = _tokenizer.EncodeToIds(text, room + _tokenizer.MaxInputCharsPerWord, addSpecialTokens: false, out _, out _);
        var count = Math.Min(pieces.Count, room);
        truncated = pieces.Count > room;
        var ids = new int[count + 2];
        ids[0] = _tokenizer.ClassificationTokenId;
        for (var i = 0; i < count; i++)
        {
            ids[i + 1] = pieces[i];
        }

        ids[count + 1] = _tokenizer.SeparatorTokenId;
        return ids;
    }

    /// <summary>Runs one batch through the model, padded to its longest text, and writes each text's unit vector.</summary>
    /// <param name="batch">The token ids of each text, from <see cref="Tokenize"/>.</param>
    /// <param name="vectors">Receives one vector of <see cref="Dimensions"/> per text, in the order of <paramref name="batch"/>.</param>
    /// <param name="cancellationToken">Stops the model run when cancelled.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled during the run.</exception>
    public void Embed(ReadOnlySpan<int[]> batch, Span<float[]> vectors, CancellationToken cancellationToken)
    {
        var rows = batch.Length;
        var width = 0;
        foreach (var ids in batch)
        {
            width = Math.Max(width, ids.Length);
        }

        var inputIds = new long[rows * width];
        var attentionMask = new long[rows * width];
        if (_tokenizer.PaddingTokenId != 0)
        {
            inputIds.AsSpan().Fill(_tokenizer.PaddingTokenId);
        }

        for (var row = 0; row < rows; row++)
        {
            var ids = batch[row];
            for (var t = 0; t < ids.Length; t++)
            {
                inputIds[(row * width) + t] = ids[t];
                attentionMask[(row * width) + t] = 1;
            }
        }

        long[] shape = [rows, width];
        using var inputIdsValue = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var attentionMaskValue = _takesAttentionMask ? OrtValue.CreateTensorValueFromMemory(attentionMask, shape) : null;
        using var tokenTypeIdsValue = _takesTokenTypeIds ? OrtValue.CreateTensorValueFromMemory(new long[rows * width], shape) : null;
        var inputs = new Dictionary<string, OrtValue>(3, StringComparer.Ordinal) { [InputIdsName] = inputIdsValue };
        if (attentionMaskValue is not null)
        {
            inputs[AttentionMaskName] = attentionMaskValue;
        }

        if (tokenTypeIdsValue is not null)
        {
            inputs[TokenTypeIdsName] = tokenTypeIdsValue;
        }

        using var runOptions = new RunOptions();
        using var cancellation = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions)
            : default;
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(runOptions, inputs, _outputNames);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The embedding was cancelled while the model ran.", cancellationToken);
        }

        using (outputs)
        {
            var states = outputs[0].GetTensorDataAsSpan<float>();
            var dimensions = Dimensions;
            if (states.Length != rows * width * dimensions)
            {
                throw new InvalidOperationException(
                    $"The model's output {OutputName} has {states.Length} values for {rows} texts of {width} tokens; {rows * width * dimensions} were expected.");
            }

            for (var row = 0; row < rows; row++)
            {
                // Mean pooling over the tokens the attention mask keeps (padding is last), then L2 normalization. The division by the
                // token count is left out: the normalization cancels it.
                var vector = new float[dimensions];
                var length = batch[row].Length;
                for (var t = 0; t < length; t++)
                {
                    TensorPrimitives.Add(vector, states.Slice(((row * width) + t) * dimensions, dimensions), vector);
                }

                var norm = TensorPrimitives.Norm(vector);
                if (norm > 0)
                {
                    TensorPrimitives.Divide(vector, norm, vector);
                }

                vectors[row] = vector;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private static void CheckInputs(InferenceSession session, string modelName)
    {
        if (!session.InputMetadata.ContainsKey(InputIdsName))
        {
            throw new InvalidOperationException(
                $"The model {modelName} has no input named {InputIdsName} (its inputs: {string.Join(", ", session.InputMetadata.Keys)}); " +
                "a sentence-transformers BERT-family ONNX export is needed.");
        }

        foreach (var (name, metadata) in session.InputMetadata)
        {
            if (name is not (InputIdsName or AttentionMaskName or TokenTypeIdsName))
            {
                throw new InvalidOperationException(
                    $"The model {modelName} has an input named {name}, which the generator cannot supply; it supplies {InputIdsName}, " +
                    $"{AttentionMaskName} and {TokenTypeIdsName}, as a sentence-transformers BERT-family ONNX export takes.");
            }

            if (metadata.ElementType != typeof(long))
            {
                throw new InvalidOperationException(
                    $"The model {modelName} takes its input {name} as {metadata.ElementType.Name}; the generator supplies 64-bit integers (int64).");
            }
        }
    }

    private static (string Name, int Dimensions) FindTokenStates(InferenceSession session, string modelName)
    {
        var outputs = session.OutputMetadata;
        var name = outputs.ContainsKey("last_hidden_state") ? "last_hidden_state"
            : outputs.ContainsKey("token_embeddings") ? "token_embeddings"
            : outputs.FirstOrDefault(o => o.Value.Dimensions.Length == 3).Key;
        if (name is null || outputs[name] is not { Dimensions: [_, _, var dimensions] } metadata || metadata.ElementType != typeof(float) || dimensions < 1)
        {
            throw new InvalidOperationException(
                $"The model {modelName} has no output of token states ([batch, tokens, dimensions] of float, such as last_hidden_state) to pool; " +
                $"its outputs: {string.Join(", ", outputs.Select(o => $"{o.Key} [{string.Join(", ", o.Value.Dimensions)}]"))}.");
        }

        return (name, dimensions);
    }
}
