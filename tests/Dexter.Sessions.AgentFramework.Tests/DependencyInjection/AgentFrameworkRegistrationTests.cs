using Dexter.Sessions.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.AgentFramework.Tests.DependencyInjection;

public sealed class AgentFrameworkRegistrationTests
{
    [Test]
    public void AddAgentFramework_Registered_ResolvesOneProviderOverTheRegisteredPipeline()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().AddAgentFramework().AddAgentFramework();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var historyProvider = provider.GetRequiredService<DexterChatHistoryProvider>();

        Assert.Multiple(() =>
        {
            Assert.That(services.Count(d => d.ServiceType == typeof(DexterChatHistoryProvider)), Is.EqualTo(1));
            Assert.That(provider.GetRequiredService<DexterChatHistoryProvider>(), Is.SameAs(historyProvider));
            Assert.That(historyProvider.Pipeline, Is.SameAs(provider.GetRequiredService<SessionTurnPipeline>()));
        });
    }

    [Test]
    public async Task UseDexterSessions_WithServices_AgentRecordsInTheRegisteredStore()
    {
        using var store = new InMemorySessionStore();
        var services = new ServiceCollection().AddSingleton<ISessionStore>(store);
        services.AddDexterSessions().AddAgentFramework();
        using var provider = services.BuildServiceProvider();
        using var model = PriceToolModel.Create();
        var agent = model.AsAIAgent(new ChatClientAgentOptions { ChatOptions = new() { Tools = [PriceToolModel.PriceTool()] } }.UseDexterSessions(provider));
        var session = await agent.CreateSessionAsync();

        await agent.RunAsync("What does bitcoin cost?", session);

        Assert.That((await store.GetAsync(session.GetDexterSessionId()!))?.Count, Is.EqualTo(1));
    }

    [Test]
    public void UseDexterSessions_NotRegistered_ThrowsNamingTheFix()
    {
        using var provider = new ServiceCollection().BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => new ChatClientAgentOptions().UseDexterSessions(provider));

        Assert.That(error!.Message, Does.Contain("services.AddDexterSessions().AddAgentFramework()"));
    }

    [Test]
    public void UseDexterSessions_Pipeline_SetsANewProviderOverIt()
    {
        using var store = new InMemorySessionStore();
        var pipeline = new SessionTurnPipeline(store);

        var options = new ChatClientAgentOptions().UseDexterSessions(pipeline);

        Assert.That((options.ChatHistoryProvider as DexterChatHistoryProvider)?.Pipeline, Is.SameAs(pipeline));
    }

    [Test]
    public void SetDexterSessionId_InvalidId_Throws()
    {
        using var model = new FakeChatClient();
        var agent = model.AsAIAgent(new ChatClientAgentOptions());

        Assert.ThrowsAsync<ArgumentException>(async () => (await agent.CreateSessionAsync()).SetDexterSessionId("not a valid id!"));
    }
}
