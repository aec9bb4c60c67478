using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.Tests.DependencyInjection;

public sealed class DexterSessionsBuilderExtensionsTests
{
    [Test]
    public void UseSessionStore_ReplacesTheDefaultWithASingleton()
    {
        var services = new ServiceCollection();

        var returned = services.AddDexterSessions().UseSessionStore<StubSessionStore>();
        using var provider = services.BuildServiceProvider();
        var first = provider.GetRequiredService<ISessionStore>();

        Assert.Multiple(() =>
        {
            Assert.That(returned.Services, Is.SameAs(services));
            Assert.That(services.Single(d => d.ServiceType == typeof(ISessionStore)).Lifetime, Is.EqualTo(ServiceLifetime.Singleton));
            Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<StubSessionStore>());
            Assert.That(provider.GetRequiredService<ISessionStore>(), Is.SameAs(first));
        });
    }

    [Test]
    public async Task UseLexicalSelector_ReplacesTheSelectorWithASingletonLexicalSelector_ConfiguredByTheCallback()
    {
        var services = new ServiceCollection();

        var returned = services.AddDexterSessions().UseLexicalSelector(o => o.AlwaysIncludeLatest = 0);
        using var provider = services.BuildServiceProvider();
        var selector = provider.GetRequiredService<IMessageSelector>();
        var turns = Enumerable.Range(1, 20).Select(i => new Message { Id = i, Query = i == 3 ? "The Zanzibar trip" : "Small talk", Answer = "Ok" }).ToArray();
        var selection = await selector.SelectAsync(new MessageSelectionContext("Zanzibar", turns, 1));

        Assert.Multiple(() =>
        {
            Assert.That(returned.Services, Is.SameAs(services));
            Assert.That(services.Single(d => d.ServiceType == typeof(IMessageSelector)).Lifetime, Is.EqualTo(ServiceLifetime.Singleton));
            Assert.That(selector, Is.InstanceOf<LexicalMessageSelector>().And.SameAs(provider.GetRequiredService<IMessageSelector>()));
            Assert.That(selection.Turns.Select(t => t.Id), Is.EqualTo(new[] { 3 }));
        });
    }

    [Test]
    public void UseLexicalSelector_InvalidOptions_FailValidationNamingTheSetting()
    {
        var services = new ServiceCollection();

        services.AddDexterSessions().UseLexicalSelector(o => o.MaxCandidates = 0);
        using var provider = services.BuildServiceProvider();

        Assert.That(
            () => provider.GetRequiredService<IMessageSelector>(),
            Throws.TypeOf<Microsoft.Extensions.Options.OptionsValidationException>()
                .With.Message.Contains("LexicalSelectorOptions.MaxCandidates must be at least 1; it is 0."));
    }

    [Test]
    public void UseMessageSelector_ReplacesTheDefaultWithASingleton()
    {
        var services = new ServiceCollection();

        services.AddDexterSessions().UseMessageSelector<FirstTurnsSelector>();
        using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(services.Single(d => d.ServiceType == typeof(IMessageSelector)).Lifetime, Is.EqualTo(ServiceLifetime.Singleton));
            Assert.That(provider.GetRequiredService<IMessageSelector>(), Is.InstanceOf<FirstTurnsSelector>());
        });
    }

    [Test]
    public void UseChatClientSummarizer_WithTheRegisteredChatClient_ReplacesTheTruncatingDefault()
    {
        var services = new ServiceCollection().AddSingleton<IChatClient>(new FakeChatClient());

        services.AddDexterSessions().UseChatClientSummarizer();
        using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<ISummarizer>(), Is.InstanceOf<ChatClientSummarizer>());
            Assert.That(services.Count(d => d.ServiceType == typeof(ISummarizer)), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UseChatClientSummarizer_WithAFactory_SummarizesWithThatClient()
    {
        var main = new FakeChatClient();
        var small = new FakeChatClient { OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "small model summary"))) };
        var services = new ServiceCollection().AddSingleton<IChatClient>(main);

        services.AddDexterSessions().UseChatClientSummarizer(_ => small);
        await using var provider = services.BuildServiceProvider();
        var summary = await provider.GetRequiredService<ISummarizer>().SummarizeAsync("q", "a");

        Assert.Multiple(() =>
        {
            Assert.That(summary, Is.EqualTo("small model summary"));
            Assert.That(small.Requests, Has.Count.EqualTo(1));
            Assert.That(main.Requests, Is.Empty);
        });
    }

    [Test]
    public void UseChatClientSummarizer_NoChatClient_FailsWithAClearMessage()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseChatClientSummarizer();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ISummarizer>());

        Assert.That(ex!.Message, Does.Contain("UseChatClientSummarizer() needs an IChatClient"));
    }

    [Test]
    public void BuilderExtensions_NullBuilder_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => DexterSessionsBuilderExtensions.UseSessionStore<StubSessionStore>(null!), Throws.ArgumentNullException);
            Assert.That(() => DexterSessionsBuilderExtensions.UseMessageSelector<FirstTurnsSelector>(null!), Throws.ArgumentNullException);
            Assert.That(() => DexterSessionsBuilderExtensions.UseChatClientSummarizer(null!), Throws.ArgumentNullException);
        });
    }
}
