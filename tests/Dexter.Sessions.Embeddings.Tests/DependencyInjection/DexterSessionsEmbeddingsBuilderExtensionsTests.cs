using Dexter.Sessions.Embeddings.Tests.TestSupport;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.Tests.DependencyInjection;

public class DexterSessionsEmbeddingsBuilderExtensionsTests
{
    [Test]
    public void UseEmbeddingSelector_NullBuilder_ThrowsArgumentNullException()
    {
        Assert.That(() => DexterSessionsEmbeddingsBuilderExtensions.UseEmbeddingSelector(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void UseEmbeddingSelectorWhenConfigured_NullBuilder_ThrowsArgumentNullException()
    {
        Assert.That(() => DexterSessionsEmbeddingsBuilderExtensions.UseEmbeddingSelectorWhenConfigured(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void UseEmbeddingSelector_ReturnsTheSameBuilder()
    {
        var builder = new ServiceCollection().AddDexterSessions();

        Assert.That(builder.UseEmbeddingSelector(), Is.SameAs(builder));
    }

    [Test]
    public void UseEmbeddingSelector_NoGeneratorRegistered_UsesHashingGeneratorAsSingleton()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseEmbeddingSelector();
        using var provider = services.BuildServiceProvider();

        var selector = provider.GetRequiredService<IMessageSelector>();

        Assert.Multiple(() =>
        {
            Assert.That(selector, Is.TypeOf<EmbeddingMessageSelector>());
            Assert.That(((EmbeddingMessageSelector)selector).Generator, Is.TypeOf<HashingEmbeddingGenerator>());
            Assert.That(provider.GetRequiredService<IMessageSelector>(), Is.SameAs(selector));
            Assert.That(provider.GetService<IEmbeddingGenerator<string, Embedding<float>>>(), Is.Null);
        });
    }

    [Test]
    public void UseEmbeddingSelector_UsersGeneratorRegisteredAfter_WinsOverHashingDefault()
    {
        using var generator = new FakeEmbeddingGenerator();
        var services = new ServiceCollection();
        services.AddDexterSessions().UseEmbeddingSelector();
        services.AddEmbeddingGenerator(generator);
        using var provider = services.BuildServiceProvider();

        var selector = (EmbeddingMessageSelector)provider.GetRequiredService<IMessageSelector>();

        Assert.That(selector.Generator.GetService<FakeEmbeddingGenerator>(), Is.SameAs(generator));
    }

    [Test]
    public void UseEmbeddingSelector_UsersGeneratorRegisteredBefore_WinsOverHashingDefault()
    {
        using var generator = new FakeEmbeddingGenerator();
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator);
        services.AddDexterSessions().UseEmbeddingSelector();
        using var provider = services.BuildServiceProvider();

        var selector = (EmbeddingMessageSelector)provider.GetRequiredService<IMessageSelector>();

        Assert.That(selector.Generator, Is.SameAs(generator));
    }

    [Test]
    public void UseEmbeddingSelector_Configure_AppliesOptions()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseEmbeddingSelector(o => o.MaxCandidates = 42);
        using var provider = services.BuildServiceProvider();

        var selector = provider.GetRequiredService<IMessageSelector>();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<IOptions<EmbeddingSelectorOptions>>().Value.MaxCandidates, Is.EqualTo(42));
            Assert.That(selector.GetCandidateCount(10), Is.EqualTo(42));
        });
    }

    [Test]
    public void UseEmbeddingSelector_InvalidOptions_FailValidationAtStartup()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseEmbeddingSelector(o => o.SimilarityThreshold = 3);
        using var provider = services.BuildServiceProvider();

        Assert.That(
            () => provider.GetRequiredService<IStartupValidator>().Validate(),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("EmbeddingSelectorOptions.SimilarityThreshold must be between -1 and 1; it is 3."));
    }

    [Test]
    public void UseEmbeddingSelector_CalledTwice_RegistersOneValidatorAndOneSelector()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseEmbeddingSelector().UseEmbeddingSelector();

        Assert.Multiple(() =>
        {
            Assert.That(services.Count(d => d.ServiceType == typeof(IMessageSelector)), Is.EqualTo(1));
            Assert.That(services.Count(d => d.ServiceType == typeof(EmbeddingMessageSelector)), Is.EqualTo(1));
            Assert.That(services.Count(d => d.ServiceType == typeof(IValidateOptions<EmbeddingSelectorOptions>)), Is.EqualTo(1));
        });
    }

    [Test]
    public void UseEmbeddingSelector_RegistrationsAreSingletons()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseEmbeddingSelector();

        Assert.Multiple(() =>
        {
            Assert.That(services.Single(d => d.ServiceType == typeof(IMessageSelector)).Lifetime, Is.EqualTo(ServiceLifetime.Singleton));
            Assert.That(services.Single(d => d.ServiceType == typeof(EmbeddingMessageSelector)).Lifetime, Is.EqualTo(ServiceLifetime.Singleton));
        });
    }

    [Test]
    public void UseEmbeddingSelector_WithoutLogging_Resolves()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseEmbeddingSelector();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.That(provider.GetRequiredService<IMessageSelector>(), Is.TypeOf<EmbeddingMessageSelector>());
    }

    [Test]
    public void UseEmbeddingSelectorWhenConfigured_OptionOn_RanksByRelevanceWithTheHashingGenerator()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions(o => o.UseEmbeddings = true).UseEmbeddingSelectorWhenConfigured();
        using var provider = services.BuildServiceProvider();

        var selector = provider.GetRequiredService<IMessageSelector>();
        Assert.That(selector, Is.TypeOf<RelevanceMessageSelector>());
        Assert.That(((RelevanceMessageSelector)selector).Generator, Is.TypeOf<HashingEmbeddingGenerator>());
    }

    [Test]
    public void UseEmbeddingSelectorWhenConfigured_OptionOff_RanksByLexicalRelevance()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions(o => o.UseEmbeddings = false).UseEmbeddingSelectorWhenConfigured();
        using var provider = services.BuildServiceProvider();

        var selector = provider.GetRequiredService<IMessageSelector>();
        Assert.That(selector, Is.TypeOf<RelevanceMessageSelector>());
        Assert.That(((RelevanceMessageSelector)selector).Generator, Is.Null);
    }

    [TestCase("true", true)]
    [TestCase("false", false)]
    public void UseEmbeddingSelectorWhenConfigured_OptedInDexterUseEmbeddings_ComparesVectorsOnlyThen(string value, bool vectors)
    {
        var services = new ServiceCollection();
        services.AddSingleton(SeedEnvironment.Build([("DEXTER_USE_EMBEDDINGS", value)]));
        services.AddDexterSessions().UseEmbeddingSelectorWhenConfigured();
        using var provider = services.BuildServiceProvider();

        var selector = (RelevanceMessageSelector)provider.GetRequiredService<IMessageSelector>();
        Assert.That(selector.Generator is not null, Is.EqualTo(vectors));
    }

    [TestCase(SessionSelection.Embeddings, typeof(EmbeddingMessageSelector))]
    [TestCase(SessionSelection.Recent, typeof(RecentMessageSelector))]
    public void UseEmbeddingSelectorWhenConfigured_SelectionSetting_ReachesTheOriginalSelections(SessionSelection selection, Type expected)
    {
        var services = new ServiceCollection();
        services.AddSingleton(SeedEnvironment.Build([("DEXTER_USE_EMBEDDINGS", "true")]));
        services.AddDexterSessions(o => o.Selection = selection).UseEmbeddingSelectorWhenConfigured();
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IMessageSelector>(), Is.TypeOf(expected));
    }

    [Test]
    public void UseEmbeddingSelectorWhenConfigured_OptionOnWithUsersGenerator_UsesIt()
    {
        using var generator = new FakeEmbeddingGenerator();
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator);
        services.AddDexterSessions(o => o.UseEmbeddings = true).UseEmbeddingSelectorWhenConfigured();
        using var provider = services.BuildServiceProvider();

        Assert.That(((RelevanceMessageSelector)provider.GetRequiredService<IMessageSelector>()).Generator, Is.SameAs(generator));
    }

    [Test]
    public void UseEmbeddingSelectorWhenConfigured_SelectionEmbeddingsWithUsersGenerator_TheOriginalSelectorUsesIt()
    {
        using var generator = new FakeEmbeddingGenerator();
        var services = new ServiceCollection();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator);
        services.AddDexterSessions(o => o.Selection = SessionSelection.Embeddings).UseEmbeddingSelectorWhenConfigured();
        using var provider = services.BuildServiceProvider();

        Assert.That(((EmbeddingMessageSelector)provider.GetRequiredService<IMessageSelector>()).Generator, Is.SameAs(generator));
    }

    [Test]
    public async Task UseEmbeddingSelector_DexterAgentFromServices_EmbedsEveryTurn()
    {
        using var chatClient = new FakeChatClient();
        var services = new ServiceCollection();
        services.AddChatClient(chatClient);
        services.AddDexterSessions().UseEmbeddingSelector();
        await using var provider = services.BuildServiceProvider();

        var agent = provider.GetRequiredService<DexterAgent>();
        var response = await agent.RunAsync("Hello there", "di-session");

        Assert.That(response.Turn.Embedding.Length, Is.EqualTo(HashingEmbeddingGenerator.DefaultDimensions));
    }
}
