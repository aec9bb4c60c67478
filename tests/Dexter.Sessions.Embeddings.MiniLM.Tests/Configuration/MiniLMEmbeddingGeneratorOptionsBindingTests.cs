using Dexter.Sessions.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.MiniLM.Tests.Configuration;

/// <summary>How <c>AddMiniLMEmbeddingGenerator()</c> binds <see cref="MiniLMEmbeddingGeneratorOptions"/>.</summary>
public class MiniLMEmbeddingGeneratorOptionsBindingTests
{
    private static MiniLMEmbeddingGeneratorOptions Bind(params (string Key, string Value)[] settings) =>
        SeedEnvironment.Options<MiniLMEmbeddingGeneratorOptions>(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build(),
            static services => services.AddMiniLMEmbeddingGenerator());

    [Test]
    public void Bind_EverySetting_SetsTheOptions()
    {
        var model = Path.GetTempFileName();
        var vocabulary = Path.GetTempFileName();
        try
        {
            var options = Bind(
                ("Dexter:Sessions:MiniLM:ModelPath", " " + model + " "),
                ("Dexter:Sessions:MiniLM:VocabularyPath", vocabulary),
                ("Dexter:Sessions:MiniLM:ModelId", "e5-small-v2"),
                ("Dexter:Sessions:MiniLM:MaxTokens", "512"),
                ("Dexter:Sessions:MiniLM:BatchSize", "8"),
                ("Dexter:Sessions:MiniLM:LowerCase", "false"),
                ("Dexter:Sessions:MiniLM:InferenceThreads", "2"));

            Assert.Multiple(() =>
            {
                Assert.That(options.ModelPath, Is.EqualTo(model));
                Assert.That(options.VocabularyPath, Is.EqualTo(vocabulary));
                Assert.That(options.ModelId, Is.EqualTo("e5-small-v2"));
                Assert.That(options.MaxTokens, Is.EqualTo(512));
                Assert.That(options.BatchSize, Is.EqualTo(8));
                Assert.That(options.LowerCase, Is.False);
                Assert.That(options.InferenceThreads, Is.EqualTo(2));
            });
        }
        finally
        {
            File.Delete(model);
            File.Delete(vocabulary);
        }
    }

    [Test]
    public async Task Bind_NoConfigurationRegistered_KeepsTheDefaults()
    {
        var services = new ServiceCollection();
        services.AddMiniLMEmbeddingGenerator();
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MiniLMEmbeddingGeneratorOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.ModelPath, Is.Null);
            Assert.That(options.MaxTokens, Is.EqualTo(256));
        });
    }

    [TestCase("Dexter:Sessions:MiniLM:MaxTokens", "many", "a whole number")]
    [TestCase("Dexter:Sessions:MiniLM:LowerCase", "cased", "true or false")]
    public void Bind_MalformedValue_ThrowsNamingTheSetting(string key, string value, string expected)
    {
        Assert.That(
            () => Bind((key, value)),
            Throws.InvalidOperationException.With.Message.EqualTo(
                $"The setting {key} has the value '{value}', which is not {expected}. Correct or remove it."));
    }
}
