using Dexter.Sessions.Embeddings.MiniLM.Tests.TestSupport;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.MiniLM.Tests.DependencyInjection;

public class MiniLMServiceCollectionExtensionsTests
{
    [Test]
    public void AddMiniLMEmbeddingGenerator_NullServices_ThrowsArgumentNullException()
    {
        Assert.That(() => MiniLMServiceCollectionExtensions.AddMiniLMEmbeddingGenerator(null!), Throws.ArgumentNullException);
    }

    [Test]
    public async Task AddMiniLMEmbeddingGenerator_RegistersTheGeneratorAsTheApplicationsSingletonEmbeddingGenerator()
    {
        var services = new ServiceCollection();
        services.AddMiniLMEmbeddingGenerator();
        await using var provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        Assert.Multiple(() =>
        {
            Assert.That(generator, Is.SameAs(provider.GetRequiredService<MiniLMEmbeddingGenerator>()));
            Assert.That(provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(), Is.SameAs(generator));
            Assert.That(generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId, Is.EqualTo("all-MiniLM-L6-v2"));
        });
    }

    [Test]
    public async Task AddMiniLMEmbeddingGenerator_WithUseEmbeddingSelector_TheSelectorEmbedsWithMiniLM()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseEmbeddingSelector();
        services.AddMiniLMEmbeddingGenerator();
        await using var provider = services.BuildServiceProvider();

        var selector = (EmbeddingMessageSelector)provider.GetRequiredService<IMessageSelector>();

        Assert.That(selector.Generator.GetService<MiniLMEmbeddingGenerator>(), Is.SameAs(provider.GetRequiredService<MiniLMEmbeddingGenerator>()));
    }

    [Test]
    public async Task AddMiniLMEmbeddingGenerator_ReturnsTheBuilder_WhoseLayersWrapTheGenerator()
    {
        var services = new ServiceCollection();
        services.AddMiniLMEmbeddingGenerator().UseOpenTelemetry();
        await using var provider = services.BuildServiceProvider();

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        Assert.Multiple(() =>
        {
            Assert.That(generator, Is.InstanceOf<OpenTelemetryEmbeddingGenerator<string, Embedding<float>>>());
            Assert.That(generator.GetService<MiniLMEmbeddingGenerator>(), Is.SameAs(provider.GetRequiredService<MiniLMEmbeddingGenerator>()));
        });
    }

    [Test]
    public async Task AddMiniLMEmbeddingGenerator_Configure_RunsAfterTheConfiguration()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dexter:Sessions:MiniLM:BatchSize"] = "8",
            ["Dexter:Sessions:MiniLM:ModelId"] = "from-configuration",
        }).Build());
        services.AddMiniLMEmbeddingGenerator(options => options.ModelId = "from-code");
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MiniLMEmbeddingGeneratorOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.BatchSize, Is.EqualTo(8));
            Assert.That(options.ModelId, Is.EqualTo("from-code"));
            Assert.That(provider.GetRequiredService<MiniLMEmbeddingGenerator>().ModelId, Is.EqualTo("from-code"));
        });
    }

    [Test]
    public async Task AddMiniLMEmbeddingGenerator_ModelFileMissing_FailsAtStartupNamingTheSetting()
    {
        var missing = Path.Combine(Path.GetTempPath(), "dexter-no-such-folder", "model.onnx");
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dexter:Sessions:MiniLM:ModelPath"] = missing,
            ["Dexter:Sessions:MiniLM:VocabularyPath"] = missing,
        }).Build());
        services.AddMiniLMEmbeddingGenerator();
        await using var provider = services.BuildServiceProvider();

        Assert.That(
            () => provider.GetRequiredService<IStartupValidator>().Validate(),
            Throws.InstanceOf<OptionsValidationException>()
                .With.Message.Contains($"Dexter:Sessions:MiniLM:ModelPath is '{missing}', which is not an existing file")
                .And.Message.Contains($"Dexter:Sessions:MiniLM:VocabularyPath is '{missing}'"));
    }

    [Test]
    public async Task AddMiniLMEmbeddingGenerator_Defaults_PassStartupValidationWithoutLoadingTheModel()
    {
        var logger = new CollectingLogger<MiniLMEmbeddingGenerator>();
        var services = new ServiceCollection();
        services.AddSingleton<ILogger<MiniLMEmbeddingGenerator>>(logger);
        services.AddMiniLMEmbeddingGenerator();
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        Assert.That(logger.Entries, Is.Empty, "the model is loaded by the first call, not at start");
    }

    [Test]
    public async Task AddMiniLMEmbeddingGenerator_Twice_RegistersOneGeneratorAndAppliesBothConfigures()
    {
        var services = new ServiceCollection();
        services.AddMiniLMEmbeddingGenerator(options => options.BatchSize = 4);
        services.AddMiniLMEmbeddingGenerator(options => options.MaxTokens = 128);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<MiniLMEmbeddingGeneratorOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(services.Count(d => d.ServiceType == typeof(MiniLMEmbeddingGenerator)), Is.EqualTo(1));
            Assert.That(services.Count(d => d.ServiceType == typeof(IValidateOptions<MiniLMEmbeddingGeneratorOptions>)), Is.EqualTo(1));
            Assert.That(options.BatchSize, Is.EqualTo(4));
            Assert.That(options.MaxTokens, Is.EqualTo(128));
        });
    }

    [Test]
    public async Task AddMiniLMEmbeddingGenerator_ModelFromConfiguredFiles_Embeds()
    {
        using var files = new ExtractedModel();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dexter:Sessions:MiniLM:ModelPath"] = files.ModelPath,
            ["Dexter:Sessions:MiniLM:VocabularyPath"] = files.VocabularyPath,
        }).Build());
        services.AddMiniLMEmbeddingGenerator();
        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            var vector = await provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GenerateVectorAsync("It's so sunny outside!");
            var expected = await SharedGenerator.Instance.GenerateVectorAsync("It's so sunny outside!");

            Assert.That(vector.ToArray(), Is.EqualTo(expected.ToArray()).Within(1e-6f));
        }
    }
}
