using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions.Embeddings.MiniLM;

/// <summary>
/// Binds <see cref="MiniLMEmbeddingGeneratorOptions"/> from configuration section <see cref="MiniLMEmbeddingGeneratorOptions.SectionName"/>
/// by hand, so that a malformed value fails with a message naming the setting (and no reflection is needed).
/// </summary>
internal static class MiniLMEmbeddingGeneratorOptionsBinder
{
    public static void Bind(MiniLMEmbeddingGeneratorOptions options, IConfiguration? configuration) =>
        Bind(options, SettingReader.Lookup(configuration));

    public static void Bind(MiniLMEmbeddingGeneratorOptions options, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);

        if (SettingReader.Read(lookup, Key("ModelPath")) is { } modelPath)
        {
            options.ModelPath = modelPath.Value;
        }

        if (SettingReader.Read(lookup, Key("VocabularyPath")) is { } vocabularyPath)
        {
            options.VocabularyPath = vocabularyPath.Value;
        }

        if (SettingReader.Read(lookup, Key("ModelId")) is { } modelId)
        {
            options.ModelId = modelId.Value;
        }

        if (SettingReader.Read(lookup, Key("MaxTokens")) is { } maxTokens)
        {
            options.MaxTokens = SettingReader.ParseInt(maxTokens);
        }

        if (SettingReader.Read(lookup, Key("BatchSize")) is { } batchSize)
        {
            options.BatchSize = SettingReader.ParseInt(batchSize);
        }

        if (SettingReader.Read(lookup, Key("LowerCase")) is { } lowerCase)
        {
            options.LowerCase = SettingReader.ParseBool(lowerCase);
        }

        if (SettingReader.Read(lookup, Key("InferenceThreads")) is { } threads)
        {
            options.InferenceThreads = SettingReader.ParseInt(threads);
        }
    }

    private static string Key(string name) => MiniLMEmbeddingGeneratorOptions.SectionName + ":" + name;
}
