using System.Globalization;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.MiniLM;

/// <summary>Validates <see cref="MiniLMEmbeddingGeneratorOptions"/>; each failure names the setting, the rule and the value it had.</summary>
internal sealed class MiniLMEmbeddingGeneratorOptionsValidator : IValidateOptions<MiniLMEmbeddingGeneratorOptions>
{
    /// <summary>The largest <see cref="MiniLMEmbeddingGeneratorOptions.MaxTokens"/> accepted.</summary>
    public const int MaxMaxTokens = 8192;

    public static MiniLMEmbeddingGeneratorOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, MiniLMEmbeddingGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ModelPath is { } modelPath)
        {
            if (!File.Exists(modelPath))
            {
                failures.Add($"{Key("ModelPath")} is '{modelPath}', which is not an existing file; set it to the model's ONNX file " +
                    "(such as onnx/model.onnx of a sentence-transformers export), or leave it unset to use the bundled all-MiniLM-L6-v2.");
            }

            if (options.VocabularyPath is null)
            {
                failures.Add($"{Key("VocabularyPath")} is not set, but {Key("ModelPath")} is; set it to the model's vocab.txt.");
            }
        }
        else if (options.VocabularyPath is not null)
        {
            failures.Add($"{Key("VocabularyPath")} is set, but {Key("ModelPath")} is not; the bundled all-MiniLM-L6-v2 comes with its own " +
                "vocabulary: set ModelPath to the model that goes with this vocabulary, or remove VocabularyPath.");
        }

        if (options.VocabularyPath is { } vocabularyPath && !File.Exists(vocabularyPath))
        {
            failures.Add($"{Key("VocabularyPath")} is '{vocabularyPath}', which is not an existing file; set it to the model's vocab.txt " +
                "(one WordPiece token a line).");
        }

        if (options.ModelId is { } modelId && string.IsNullOrWhiteSpace(modelId))
        {
            failures.Add($"{Key("ModelId")} is blank; name the model, or leave it unset for the default.");
        }

        if (options.MaxTokens is < 2 or > MaxMaxTokens)
        {
            failures.Add(Invariant($"{Key("MaxTokens")} must be between 2 (room for [CLS] and [SEP]) and {MaxMaxTokens}; it is {options.MaxTokens}."));
        }

        if (options.BatchSize < 1)
        {
            failures.Add(Invariant($"{Key("BatchSize")} must be at least 1; it is {options.BatchSize}."));
        }

        if (options.InferenceThreads < 0)
        {
            failures.Add(Invariant($"{Key("InferenceThreads")} must be 0 (ONNX Runtime's choice) or more; it is {options.InferenceThreads}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Key(string setting) => MiniLMEmbeddingGeneratorOptions.SectionName + ":" + setting;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
