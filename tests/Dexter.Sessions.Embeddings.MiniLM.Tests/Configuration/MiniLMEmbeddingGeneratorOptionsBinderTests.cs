using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions.Embeddings.MiniLM.Tests.Configuration;

public class MiniLMEmbeddingGeneratorOptionsBinderTests
{
    [Test]
    public void Bind_EverySetting_SetsTheOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dexter:Sessions:MiniLM:ModelPath"] = " /models/e5/model.onnx ",
            ["Dexter:Sessions:MiniLM:VocabularyPath"] = "/models/e5/vocab.txt",
            ["Dexter:Sessions:MiniLM:ModelId"] = "e5-small-v2",
            ["Dexter:Sessions:MiniLM:MaxTokens"] = "512",
            ["Dexter:Sessions:MiniLM:BatchSize"] = "8",
            ["Dexter:Sessions:MiniLM:LowerCase"] = "false",
            ["Dexter:Sessions:MiniLM:InferenceThreads"] = "2",
        }).Build();
        var options = new MiniLMEmbeddingGeneratorOptions();

        MiniLMEmbeddingGeneratorOptionsBinder.Bind(options, configuration);

        Assert.Multiple(() =>
        {
            Assert.That(options.ModelPath, Is.EqualTo("/models/e5/model.onnx"));
            Assert.That(options.VocabularyPath, Is.EqualTo("/models/e5/vocab.txt"));
            Assert.That(options.ModelId, Is.EqualTo("e5-small-v2"));
            Assert.That(options.MaxTokens, Is.EqualTo(512));
            Assert.That(options.BatchSize, Is.EqualTo(8));
            Assert.That(options.LowerCase, Is.False);
            Assert.That(options.InferenceThreads, Is.EqualTo(2));
        });
    }

    [Test]
    public void Bind_NoConfiguration_KeepsTheDefaults()
    {
        var options = new MiniLMEmbeddingGeneratorOptions();

        MiniLMEmbeddingGeneratorOptionsBinder.Bind(options, configuration: null);

        Assert.Multiple(() =>
        {
            Assert.That(options.ModelPath, Is.Null);
            Assert.That(options.MaxTokens, Is.EqualTo(256));
        });
    }

    [Test]
    public void Bind_MalformedNumber_ThrowsNamingTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dexter:Sessions:MiniLM:MaxTokens"] = "many",
        }).Build();

        Assert.That(
            () => MiniLMEmbeddingGeneratorOptionsBinder.Bind(new MiniLMEmbeddingGeneratorOptions(), configuration),
            Throws.InvalidOperationException.With.Message.EqualTo(
                "The setting Dexter:Sessions:MiniLM:MaxTokens has the value 'many', which is not a whole number. Correct or remove it."));
    }
}
