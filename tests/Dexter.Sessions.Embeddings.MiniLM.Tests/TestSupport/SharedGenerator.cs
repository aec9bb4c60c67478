namespace Dexter.Sessions.Embeddings.MiniLM.Tests.TestSupport;

/// <summary>
/// One generator on the bundled model for the tests that only read from it, so that the model (about 90 MB, about a second to load) is
/// loaded once per test run. Tests that dispose, log or configure create their own.
/// </summary>
internal static class SharedGenerator
{
    private static readonly Lazy<MiniLMEmbeddingGenerator> Generator = new(() => new MiniLMEmbeddingGenerator());

    public static MiniLMEmbeddingGenerator Instance => Generator.Value;
}
