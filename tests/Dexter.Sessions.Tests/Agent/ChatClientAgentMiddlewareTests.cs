using Dexter.Sessions.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Tests.Agent;

/// <summary>
/// <see cref="SessionChatClient"/> under a real Agent Framework <see cref="ChatClientAgent"/> (which puts function invocation
/// outside the client it is given) with a tool: sessions made with an id, and default sessions.
/// </summary>
public sealed class ChatClientAgentMiddlewareTests
{
    private static ChatClientAgent CreateAgent(IChatClient model, ISessionStore store, bool startSessionWhenMissing = false) =>
        new(
            model.AsBuilder().UseDexterSessions(store, c => c.StartSessionWhenMissing = startSessionWhenMissing).Build(),
            new ChatClientAgentOptions { Name = "prices", ChatOptions = new ChatOptions { Tools = [PriceToolModel.PriceTool()] } });

    private static async Task<string> RunAsync(AIAgent agent, string question, AgentSession session, bool streaming)
    {
        if (!streaming)
        {
            return (await agent.RunAsync(question, session)).Text;
        }

        var text = new System.Text.StringBuilder();
        await foreach (var update in agent.RunStreamingAsync(question, session))
        {
            text.Append(update.Text);
        }

        return text.ToString();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task RunAsync_SessionWithAConversationId_RecordsEachRunAsOneTurnWithItsToolCalls(bool streaming)
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store);
        var session = await agent.CreateSessionAsync("user@tenant/chat-7");

        var first = await RunAsync(agent, "What does bitcoin cost?", session, streaming);
        var second = await RunAsync(agent, "And ether?", session, streaming);

        var turns = (await store.GetAsync(SessionId.FromConversationId("user@tenant/chat-7")))!.GetAll();
        Assert.Multiple(() =>
        {
            Assert.That(first, Does.Contain("Price found: BTC costs 64000 USD"));
            Assert.That(second, Does.Contain("You asked: And ether?"));
            Assert.That(turns.Select(t => t.Query), Is.EqualTo(new[] { "What does bitcoin cost?", "And ether?" }));
            Assert.That(turns.Select(t => t.Answer), Is.All.StartWith("Price found"));
            Assert.That(turns[0].ChatMessages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().Name, Is.EqualTo(PriceToolModel.ToolName));
            Assert.That(turns[0].ChatMessages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Count(), Is.EqualTo(1));
            Assert.That(model.Requests[2].Any(m => m.Text.Contains("What does bitcoin cost?", StringComparison.Ordinal)), Is.True,
                "the second run's model input holds the first question");
            Assert.That(model.LastOptions?.ConversationId, Is.Null);
        });
    }

    [Test]
    public async Task RunAsync_DefaultSession_WithStartSessionWhenMissing_StartsASessionTheAgentKeeps()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store, startSessionWhenMissing: true);
        var session = await agent.CreateSessionAsync();

        await agent.RunAsync("What does bitcoin cost?", session);
        await agent.RunAsync("And ether?", session);

        var conversationId = ((ChatClientAgentSession)session).ConversationId;
        var turns = (await store.GetAsync(SessionId.FromConversationId(conversationId!)))?.GetAll();
        Assert.Multiple(() =>
        {
            Assert.That(conversationId, Is.Not.Null.And.Not.Empty);
            Assert.That(turns?.Select(t => t.Query), Is.EqualTo(new[] { "What does bitcoin cost?", "And ether?" }));
        });
    }

    [Test]
    public async Task RunAsync_DefaultSession_WithoutStartSessionWhenMissing_LeavesTheAgentItsOwnHistory()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store);
        var session = await agent.CreateSessionAsync();

        var answer = await agent.RunAsync("What does bitcoin cost?", session);

        Assert.Multiple(() =>
        {
            Assert.That(answer.Text, Does.Contain("Price found"));
            Assert.That(((ChatClientAgentSession)session).ConversationId, Is.Null);
        });
    }
}
