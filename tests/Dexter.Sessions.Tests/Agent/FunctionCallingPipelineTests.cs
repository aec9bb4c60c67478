using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Tests.Agent;

/// <summary>
/// <see cref="SessionChatClient"/> with the real <see cref="FunctionInvokingChatClient"/>, inside and outside it, streaming and
/// not: one turn per user query, the final answer, the whole tool exchange kept, the question never lost.
/// </summary>
public sealed class FunctionCallingPipelineTests
{
    private const string ConversationId = "thread:42";

    private static async Task<ChatResponse> AskAsync(IChatClient client, string question, ChatOptions options, bool streaming) =>
        streaming
            ? await client.GetStreamingResponseAsync(question, options).ToChatResponseAsync()
            : await client.GetResponseAsync(question, options);

    private static IChatClient Build(IChatClient model, ISessionStore store, bool sessionsOutside) =>
        sessionsOutside
            ? model.AsBuilder().UseDexterSessions(store).UseFunctionInvocation().Build()
            : model.AsBuilder().UseFunctionInvocation().UseDexterSessions(store).Build();

    [TestCase(true, false)]
    [TestCase(true, true)]
    [TestCase(false, false)]
    [TestCase(false, true)]
    public async Task Pipeline_WithATool_RecordsOneTurnPerQuery_WithTheFinalAnswerAndTheToolExchange(bool sessionsOutside, bool streaming)
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        using var client = Build(model, store, sessionsOutside);
        var options = new ChatOptions { ConversationId = ConversationId, Tools = [PriceToolModel.PriceTool()] };

        var first = await AskAsync(client, "What does bitcoin cost?", options, streaming);
        var second = await AskAsync(client, "And ether?", options, streaming);

        var turns = (await store.GetAsync(SessionId.FromConversationId(ConversationId)))!.GetAll();
        var requests = model.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(turns.Select(t => t.Query), Is.EqualTo(new[] { "What does bitcoin cost?", "And ether?" }), "one turn per query");
            Assert.That(turns[0].Answer, Is.EqualTo("Price found: BTC costs 64000 USD. You asked: What does bitcoin cost?"));
            Assert.That(turns[0].ChatMessages.Select(m => m.Role), Is.EqualTo(new[] { ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant }));
            Assert.That(turns[0].ChatMessages[1].Contents.OfType<FunctionCallContent>().Single().Name, Is.EqualTo(PriceToolModel.ToolName));
            Assert.That(turns[0].ChatMessages[2].Contents.OfType<FunctionResultContent>().Single().Result?.ToString(), Does.Contain("64000 USD"));
            Assert.That(first.Text, Does.Contain("Price found"));
            Assert.That(first.ConversationId, Is.EqualTo(ConversationId));
            Assert.That(second.ConversationId, Is.EqualTo(ConversationId));
            Assert.That(requests, Has.Count.EqualTo(4), "two model rounds per query");
            Assert.That(requests.Select(r => r.Any(m => m.Role == ChatRole.User)), Is.All.True, "every model round sees the user's question");
            Assert.That(requests[2].Any(m => m.Text.Contains("What does bitcoin cost?", StringComparison.Ordinal)), Is.True,
                "the second query's model input holds the first question as context");
            Assert.That(model.LastOptions?.ConversationId, Is.Null, "the conversation id never reaches the model");
        });
    }

    [Test]
    public async Task Pipeline_SessionsInside_ResponseIdEchoed_SoTheLoopSendsOnlyTheResultsAndTheTurnStillHoldsEverything()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        using var client = Build(model, store, sessionsOutside: false);
        var options = new ChatOptions { ConversationId = ConversationId, Tools = [PriceToolModel.PriceTool()] };

        var response = await client.GetResponseAsync("What does bitcoin cost?", options);

        var secondRound = model.Requests[1];
        Assert.Multiple(() =>
        {
            Assert.That(secondRound.Count(m => m.Role == ChatRole.User), Is.EqualTo(1), "the question, kept by the session, not repeated");
            Assert.That(secondRound.Last().Role, Is.EqualTo(ChatRole.Tool));
            Assert.That(secondRound.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Count(), Is.EqualTo(1));
            Assert.That(response.AdditionalProperties?[SessionChatClient.MessageIdPropertyName], Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Pipeline_ModelFailsAfterTheToolRan_RecordsNothing()
    {
        using var model = PriceToolModel.Create();
        var answer = model.OnGetResponse!;
        model.OnGetResponse = (messages, options, token) => messages.Any(m => m.Role == ChatRole.Tool)
            ? throw new HttpRequestException("The model is down.")
            : answer(messages, options, token);
        using var store = new InMemorySessionStore();
        using var client = Build(model, store, sessionsOutside: false);
        var options = new ChatOptions { ConversationId = ConversationId, Tools = [PriceToolModel.PriceTool()] };

        Assert.That(() => client.GetResponseAsync("What does bitcoin cost?", options), Throws.TypeOf<HttpRequestException>());
        Assert.That(await store.ExistsAsync(SessionId.FromConversationId(ConversationId)), Is.False);
    }
}
