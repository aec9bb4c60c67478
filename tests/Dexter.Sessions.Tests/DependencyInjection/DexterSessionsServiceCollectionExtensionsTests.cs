using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Tests.DependencyInjection;

public sealed class DexterSessionsServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(IServiceCollection services) => services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

    /// <summary>Registers a configuration that opted in to the bare variable names: keys with a colon are settings, others variables.</summary>
    private static IServiceCollection WithConfiguration(IServiceCollection services, params (string Key, string Value)[] settings) =>
        services.AddSingleton(SeedEnvironment.Build(
            settings.Where(s => !s.Key.Contains(':', StringComparison.Ordinal)),
            settings.Where(s => s.Key.Contains(':', StringComparison.Ordinal)).ToArray()));

    private static ServiceDescriptor Single<T>(IServiceCollection services) => services.Single(d => d.ServiceType == typeof(T));

    [Test]
    public void AddDexterSessions_RegistersTheDefaultsWithTheirLifetimes()
    {
        var services = new ServiceCollection();

        services.AddDexterSessions();

        Assert.Multiple(() =>
        {
            Assert.That(Single<ISessionStore>(services).Lifetime, Is.EqualTo(ServiceLifetime.Singleton));
            Assert.That(Single<ISummarizer>(services).Lifetime, Is.EqualTo(ServiceLifetime.Singleton));
            Assert.That(Single<IMessageSelector>(services).Lifetime, Is.EqualTo(ServiceLifetime.Singleton));
            Assert.That(Single<TimeProvider>(services).Lifetime, Is.EqualTo(ServiceLifetime.Singleton));
            Assert.That(Single<DexterAgent>(services).Lifetime, Is.EqualTo(ServiceLifetime.Transient));
            Assert.That(services.Count(d => d.ServiceType == typeof(IValidateOptions<DexterSessionsOptions>)), Is.EqualTo(1));
        });
    }

    [Test]
    public void AddDexterSessions_ResolvesTheDefaultImplementations()
    {
        using var provider = Build(WithConfiguration(new ServiceCollection()).AddSingleton<IChatClient>(new FakeChatClient()).AddDexterSessions().Services);

        var store = provider.GetRequiredService<ISessionStore>();
        var agent1 = provider.GetRequiredService<DexterAgent>();
        var agent2 = provider.GetRequiredService<DexterAgent>();

        Assert.Multiple(() =>
        {
            Assert.That(store, Is.InstanceOf<InMemorySessionStore>());
            Assert.That(provider.GetRequiredService<ISessionStore>(), Is.SameAs(store));
            Assert.That(provider.GetRequiredService<ISummarizer>(), Is.SameAs(TruncatingSummarizer.Instance));
            Assert.That(provider.GetRequiredService<IMessageSelector>(), Is.InstanceOf<RelevanceMessageSelector>());
            Assert.That(((RelevanceMessageSelector)provider.GetRequiredService<IMessageSelector>()).Generator, Is.Null, "no generator registered: lexical relevance");
            Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(TimeProvider.System));
            Assert.That(agent1, Is.Not.SameAs(agent2));
            Assert.That(agent1.Store, Is.SameAs(store));
        });
    }

    [TestCase("Recent", typeof(RecentMessageSelector))]
    [TestCase("relevance", typeof(RelevanceMessageSelector))]
    public void AddDexterSessions_SelectionSetting_ChoosesTheSelector(string value, Type expected)
    {
        using var provider = Build(WithConfiguration(new ServiceCollection(), ("Dexter:Sessions:Selection", value)).AddDexterSessions().Services);

        Assert.That(provider.GetRequiredService<IMessageSelector>(), Is.InstanceOf(expected));
    }

    [Test]
    public void AddDexterSessions_SelectionEmbeddingsWithoutItsPackage_FailsNamingTheSettingAndTheFix()
    {
        using var provider = Build(WithConfiguration(new ServiceCollection(), ("Dexter:Sessions:Selection", "Embeddings")).AddDexterSessions().Services);

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IMessageSelector>());
        Assert.That(error!.Message, Does.Contain("Dexter:Sessions:Selection").And.Contain("UseEmbeddingSelectorWhenConfigured()"));
    }

    [Test]
    public void AddDexterSessions_SelectionNotAChoice_FailsAtStartNamingTheChoices()
    {
        using var provider = Build(WithConfiguration(new ServiceCollection(), ("Dexter:Sessions:Selection", "Smart")).AddDexterSessions().Services);

        var error = Assert.Throws<InvalidOperationException>(() => _ = provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value);
        Assert.That(error!.Message, Does.Contain("Dexter:Sessions:Selection").And.Contain("'Smart'").And.Contain("Relevance, Recent or Embeddings"));
    }

    [Test]
    public void AddDexterSessions_EmbeddingGeneratorRegistered_TheRelevanceSelectionUsesIt_AndItsOptionsBindFromConfiguration()
    {
        var generator = new KeywordEmbeddingGenerator();
        using var provider = Build(WithConfiguration(new ServiceCollection(), ("Dexter:Sessions:Relevance:AlwaysIncludeLatest", "5"), ("Dexter:Sessions:Relevance:MaxTurns", "7"))
            .AddDexterSessions().Services
            .AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator));

        var selector = (RelevanceMessageSelector)provider.GetRequiredService<IMessageSelector>();
        var options = provider.GetRequiredService<IOptions<RelevanceSelectorOptions>>().Value;
        Assert.Multiple(() =>
        {
            Assert.That(selector.Generator, Is.SameAs(generator), "registered after AddDexterSessions(), used all the same");
            Assert.That(options.AlwaysIncludeLatest, Is.EqualTo(5));
            Assert.That(options.MaxTurns, Is.EqualTo(7));
        });
    }

    [Test]
    public void AddDexterSessions_RelevanceOptionNotANumber_FailsNamingTheKeyAndValue()
    {
        using var provider = Build(WithConfiguration(new ServiceCollection(), ("Dexter:Sessions:Relevance:AlwaysIncludeLatest", "many")).AddDexterSessions().Services);

        var error = Assert.Throws<InvalidOperationException>(() => _ = provider.GetRequiredService<IOptions<RelevanceSelectorOptions>>().Value);
        Assert.That(error!.Message, Does.Contain("Dexter:Sessions:Relevance:AlwaysIncludeLatest").And.Contain("'many'"));
    }

    [Test]
    public void AddDexterSessions_RelevanceOptionOutOfRange_FailsAtStartNamingTheKey()
    {
        using var provider = Build(WithConfiguration(new ServiceCollection(), ("Dexter:Sessions:Relevance:RecencyWeight", "2")).AddDexterSessions().Services);

        var error = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<RelevanceSelectorOptions>>().Value);
        Assert.That(error!.Message, Does.Contain("Dexter:Sessions:Relevance:RecencyWeight must be between 0 and 1; it is 2."));
    }

    [Test]
    public async Task AddDexterSessions_Agent_UsesTheRegisteredParts()
    {
        var model = new FakeChatClient();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var services = WithConfiguration(new ServiceCollection(), ("Dexter:Sessions:Instructions", "Be Dexter."))
            .AddSingleton<IChatClient>(model)
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<ISummarizer>(new CallbackSummarizer((_, _, _) => new ValueTask<string>("registered summary")));
        services.AddDexterSessions();
        await using var provider = Build(services);

        var response = await provider.GetRequiredService<DexterAgent>().RunAsync("q", "session-1");
        await provider.GetRequiredService<SessionSummaryWorker>().WhenIdleAsync();
        var stored = (await provider.GetRequiredService<ISessionStore>().GetAsync("session-1"))!.GetAll().Single();

        Assert.Multiple(() =>
        {
            Assert.That(response.Turn.Summary, Is.EqualTo("q → Answer to: q"), "recorded with the short summary; the registered one follows in the background");
            Assert.That(stored.Summary, Is.EqualTo("registered summary"));
            Assert.That(response.Turn.CreatedAt, Is.EqualTo(clock.GetUtcNow()));
            Assert.That(model.Requests.Single()[0].Text, Is.EqualTo("Be Dexter."));
        });
    }

    [Test]
    public async Task AddDexterSessions_ChatClientKey_AgentAndSummariesUseTheKeyedClient()
    {
        var services = new ServiceCollection();
        using var keyed = new FakeChatClient();
        services.AddKeyedChatClient("gpt", keyed);
        services.AddDexterSessions(o => (o.ChatClientKey, o.SummarizeWithLlm) = ("gpt", true));
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<DexterAgent>().RunAsync("What is Bitcoin?", SessionId.New());
        await provider.GetRequiredService<SessionSummaryWorker>().WhenIdleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.Answer, Is.EqualTo("Answer to: What is Bitcoin?"));
            Assert.That(keyed.Requests, Has.Count.EqualTo(3), "the answer, the summary and the title of the first turn, all from the keyed client");
            Assert.That(provider.GetRequiredService<ISummarizer>(), Is.TypeOf<ChatClientSummarizer>());
        });
    }

    [Test]
    public void AddDexterSessions_ChatClientKeyWithNoSuchClient_FailsNamingTheKey()
    {
        var services = new ServiceCollection();
        services.AddChatClient(new FakeChatClient());
        services.AddDexterSessions(o => o.ChatClientKey = "missing");
        using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<DexterAgent>(),
            Throws.InvalidOperationException.With.Message.Contains("under the key 'missing' (Dexter:Sessions:ChatClientKey)"));
    }

    [Test]
    public async Task AddDexterSessions_StoreUsesTheRegisteredClockAndTtl()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var services = WithConfiguration(new ServiceCollection(), ("DEXTER_SESSION_TTL_SECONDS", "60")).AddSingleton<TimeProvider>(clock);
        services.AddDexterSessions();
        await using var provider = Build(services);
        var store = provider.GetRequiredService<ISessionStore>();
        await store.AppendAsync("s1", new Message { Query = "q", Answer = "a" });

        clock.Advance(TimeSpan.FromSeconds(60));

        Assert.That(await store.ExistsAsync("s1"), Is.False);
    }

    [Test]
    public void AddDexterSessions_UserRegistrationsBefore_Win()
    {
        using var store = new StubSessionStore();
        var summarizer = new CallbackSummarizer((_, _, _) => new ValueTask<string>("s"));
        var selector = new FirstTurnsSelector();
        var clock = new FakeTimeProvider();
        var services = new ServiceCollection()
            .AddSingleton<ISessionStore>(store)
            .AddSingleton<ISummarizer>(summarizer)
            .AddSingleton<IMessageSelector>(selector)
            .AddSingleton<TimeProvider>(clock);

        services.AddDexterSessions();
        using var provider = Build(services);

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<ISessionStore>(), Is.SameAs(store));
            Assert.That(provider.GetRequiredService<ISummarizer>(), Is.SameAs(summarizer));
            Assert.That(provider.GetRequiredService<IMessageSelector>(), Is.SameAs(selector));
            Assert.That(provider.GetRequiredService<TimeProvider>(), Is.SameAs(clock));
            Assert.That(services.Count(d => d.ServiceType == typeof(ISessionStore)), Is.EqualTo(1), "no default added");
        });
    }

    [Test]
    public void AddDexterSessions_UserRegistrationsAfter_Win()
    {
        using var store = new StubSessionStore();
        var selector = new FirstTurnsSelector();
        var services = new ServiceCollection().AddSingleton<IChatClient>(new FakeChatClient());
        services.AddDexterSessions();

        services.AddSingleton<ISessionStore>(store).AddSingleton<IMessageSelector>(selector);
        using var provider = Build(services);

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<ISessionStore>(), Is.SameAs(store));
            Assert.That(provider.GetRequiredService<IMessageSelector>(), Is.SameAs(selector));
            Assert.That(provider.GetRequiredService<DexterAgent>().Store, Is.SameAs(store));
        });
    }

    [Test]
    public void AddDexterSessions_SummarizeWithLlmAndAChatClient_UsesChatClientSummarizer()
    {
        var services = WithConfiguration(new ServiceCollection(), ("DEXTER_SUMMARIZE_LLM", "true")).AddSingleton<IChatClient>(new FakeChatClient());
        services.AddDexterSessions();
        using var provider = Build(services);

        Assert.That(provider.GetRequiredService<ISummarizer>(), Is.InstanceOf<ChatClientSummarizer>());
    }

    [Test]
    public void AddDexterSessions_SummarizeWithLlmWithoutAChatClient_FailsWithAClearMessage()
    {
        var services = WithConfiguration(new ServiceCollection(), ("DEXTER_SUMMARIZE_LLM", "true"));
        services.AddDexterSessions();
        using var provider = Build(services);

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ISummarizer>());

        Assert.That(ex!.Message, Does.Contain("DEXTER_SUMMARIZE_LLM").And.Contain("IChatClient").And.Contain("AddChatClient"));
    }

    [Test]
    public void AddDexterSessions_DexterAgentWithoutAChatClient_FailsWithAClearMessage()
    {
        using var provider = Build(new ServiceCollection().AddDexterSessions().Services);

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<DexterAgent>());

        Assert.That(ex!.Message, Does.Contain("DexterAgent needs an IChatClient"));
    }

    [Test]
    public void AddDexterSessions_ConfigureDelegate_RunsAfterConfiguration()
    {
        var services = WithConfiguration(new ServiceCollection(), ("Dexter:Sessions:MaxContextMessages", "5"), ("Dexter:Sessions:Instructions", "from config"));

        services.AddDexterSessions(o => o.MaxContextMessages = 3);
        using var provider = Build(services);
        var options = provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(3));
            Assert.That(options.Instructions, Is.EqualTo("from config"));
        });
    }

    [Test]
    public void AddDexterSessions_CalledTwice_FirstConfigureStillWinsOverConfiguration()
    {
        var services = WithConfiguration(new ServiceCollection(), ("Dexter:Sessions:MaxContextMessages", "5"));

        services.AddDexterSessions(o => o.MaxContextMessages = 3);
        services.AddDexterSessions();
        using var provider = Build(services);

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value.MaxContextMessages, Is.EqualTo(3));
            Assert.That(services.Count(d => d.ServiceType == typeof(ISessionStore)), Is.EqualTo(1));
            Assert.That(services.Count(d => d.ServiceType == typeof(IValidateOptions<DexterSessionsOptions>)), Is.EqualTo(1));
        });
    }

    [Test]
    public void AddDexterSessions_ConfigurationFromServices_IsUsed()
    {
        var services = WithConfiguration(new ServiceCollection(),
            ("DEXTER_MAX_CONTEXT_MESSAGES", "8"), ("Dexter:Sessions:UseEmbeddings", "true"), ("Dexter:Sessions:SummarizerTimeout", "00:00:03"));
        services.AddDexterSessions();
        using var provider = Build(services);

        var options = provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(8));
            Assert.That(options.UseEmbeddings, Is.True);
            Assert.That(options.SummarizerTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
        });
    }

    [Test]
    [NonParallelizable]
    public void AddDexterSessions_NoConfigurationRegistered_IgnoresTheProcessEnvironment()
    {
        using var _ = new EnvironmentVariableScope(
            ("DEXTER_MAX_CONTEXT_MESSAGES", "0"), ("Dexter__Sessions__MaxContextMessages", "12"), ("DEXTER_SUMMARIZE_LLM", "maybe"));
        using var provider = Build(new ServiceCollection().AddDexterSessions().Services);

        Assert.That(provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value.MaxContextMessages, Is.EqualTo(DexterSessionsOptions.DefaultMaxContextMessages));
    }

    [Test]
    public void AddDexterSessions_InvalidOptions_ResolvingThemFailsNamingTheSetting()
    {
        using var provider = Build(new ServiceCollection().AddDexterSessions(o => o.MaxContextMessages = 0).Services);

        var ex = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value);

        Assert.That(ex!.Message, Does.Contain("Dexter:Sessions:MaxContextMessages"));
    }

    [Test]
    public void AddDexterSessions_ReturnsABuilderOverTheSameServices()
    {
        var services = new ServiceCollection();

        var builder = services.AddDexterSessions();

        Assert.That(builder.Services, Is.SameAs(services));
    }

    [Test]
    public void AddDexterSessions_NullServices_Throws()
    {
        Assert.That(() => DexterSessionsServiceCollectionExtensions.AddDexterSessions(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("services"));
    }

    [Test]
    public async Task AddDexterSessions_DisposingTheProvider_DisposesTheStore()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var provider = Build(WithConfiguration(new ServiceCollection(), ("DEXTER_SESSION_TTL_SECONDS", "60")).AddSingleton<TimeProvider>(clock).AddDexterSessions().Services);
        var store = (InMemorySessionStore)provider.GetRequiredService<ISessionStore>();
        await store.AppendAsync("s1", new Message { Query = "q", Answer = "a" });

        await provider.DisposeAsync();
        clock.Advance(TimeSpan.FromMinutes(5));

        Assert.That(store.Count, Is.EqualTo(1), "the sweep timer stopped with the provider");
    }
}
