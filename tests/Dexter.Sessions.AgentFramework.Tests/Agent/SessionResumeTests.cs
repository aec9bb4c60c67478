using System.Text.Json;
using Dexter.Sessions.Redis;
using Dexter.Sessions.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using static Dexter.Sessions.AgentFramework.Tests.AgentRuns;

namespace Dexter.Sessions.AgentFramework.Tests.Agent;

/// <summary>
/// An agent session serialized with Agent Framework's own mechanism and resumed by another agent instance (another process, in
/// production) continues the same Dexter.Sessions session: in a shared in-memory store, and on a real Redis server.
/// </summary>
public sealed class SessionResumeTests
{
    private static readonly string[] Questions = ["What does bitcoin cost?", "And ether?", "What about both?"];

    [Test]
    public async Task DeserializeSessionAsync_SessionSerializedAfterTurnTwo_NewAgentContinuesAtTurnThree()
    {
        using var store = new InMemorySessionStore();
        await ResumeAndAssertAsync(store, store);
    }

    [Test]
    public async Task DeserializeSessionAsync_OnRedis_NewAgentWithItsOwnConnectionContinuesAtTurnThree()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = new RedisSessionStore(Options.Create(new RedisSessionStoreOptions { Configuration = redis.Endpoint }));
        await using var second = new RedisSessionStore(Options.Create(new RedisSessionStoreOptions { Configuration = redis.Endpoint }));

        await ResumeAndAssertAsync(first, second);

        // The turns are in Redis itself: a third connection reads all three.
        await using var reader = new RedisSessionStore(Options.Create(new RedisSessionStoreOptions { Configuration = redis.Endpoint }));
        var sessionId = (await redis.CliAsync("--scan", "--pattern", "*:turns")).Split('{', '}')[1];
        Assert.That((await reader.GetAsync(sessionId))?.GetAll().Select(t => t.Id), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    private static async Task ResumeAndAssertAsync(ISessionStore firstStore, ISessionStore secondStore)
    {
        using var firstModel = PriceToolModel.Create();
        var firstAgent = CreateAgent(firstModel, firstStore);
        var session = await firstAgent.CreateSessionAsync();
        await firstAgent.RunAsync(Questions[0], session);
        await firstAgent.RunAsync(Questions[1], session);
        var sessionId = session.GetDexterSessionId();

        // Through text, as an application keeps it between processes.
        var saved = (await firstAgent.SerializeSessionAsync(session)).GetRawText();

        using var secondModel = PriceToolModel.Create();
        var secondAgent = CreateAgent(secondModel, secondStore);
        using var document = JsonDocument.Parse(saved);
        var resumed = await secondAgent.DeserializeSessionAsync(document.RootElement);
        var answer = await secondAgent.RunAsync(Questions[2], resumed);

        var turns = (await secondStore.GetAsync(sessionId!))!.GetAll();
        var context = string.Join("\n", secondModel.Requests[0].Where(m => m.Role == ChatRole.System).Select(m => m.Text));
        Assert.Multiple(() =>
        {
            Assert.That(saved, Does.Contain($"\"{DexterChatHistoryProvider.StateKey}\":{{\"sessionId\":\"{sessionId}\"}}"));
            Assert.That(resumed.GetDexterSessionId(), Is.EqualTo(sessionId));
            Assert.That(answer.Text, Does.Contain("You asked: What about both?"));
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(turns.Select(t => t.Query), Is.EqualTo(Questions));
            Assert.That(turns[2].ChatMessages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Count(), Is.EqualTo(1));
            Assert.That(context, Does.Contain("- User: What does bitcoin cost?").And.Contain("- User: And ether?"),
                "the resumed agent's first model call holds the turns recorded by the first agent");
        });
    }
}
