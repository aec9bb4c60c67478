using System.Text;
using Dexter.Sessions.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.AgentFramework.Tests;

/// <summary>Makes real <see cref="ChatClientAgent"/>s with the price tool over a fake model, and runs them.</summary>
internal static class AgentRuns
{
    public static ChatClientAgent CreateAgent(IChatClient model, DexterChatHistoryProvider provider) =>
        model.AsAIAgent(new ChatClientAgentOptions
        {
            Name = "prices",
            ChatOptions = new ChatOptions { Tools = [PriceToolModel.PriceTool()] },
        }.UseDexterSessions(provider));

    public static ChatClientAgent CreateAgent(
        IChatClient model,
        ISessionStore store,
        DexterSessionsOptions? options = null,
        ILogger<DexterChatHistoryProvider>? providerLogger = null,
        ILogger<SessionTurnPipeline>? pipelineLogger = null) =>
        CreateAgent(model, new DexterChatHistoryProvider(
            new SessionTurnPipeline(store, options: Options.Create(options ?? new DexterSessionsOptions()), logger: pipelineLogger),
            providerLogger));

    /// <summary>Runs one question, streaming or not, and returns the answer's text.</summary>
    public static async Task<string> RunAsync(AIAgent agent, string question, AgentSession session, bool streaming = false)
    {
        if (!streaming)
        {
            return (await agent.RunAsync(question, session)).Text;
        }

        var text = new StringBuilder();
        await foreach (var update in agent.RunStreamingAsync(question, session))
        {
            text.Append(update.Text);
        }

        return text.ToString();
    }

    /// <summary>The turns recorded for an agent session.</summary>
    public static async Task<IReadOnlyList<Message>> TurnsAsync(ISessionStore store, AgentSession session)
    {
        var sessionId = session.GetDexterSessionId();
        Assert.That(sessionId, Is.Not.Null, "the agent session has a Dexter.Sessions session id");
        return (await store.GetAsync(sessionId!))?.GetAll() ?? [];
    }
}
