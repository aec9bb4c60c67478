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

    [TestCase(true)]
    [TestCase(false)]
    public async Task Pipeline_StoppedWhileTheFinalAnswerStreams_KeepsTheToolExchangeAndThePartialAnswer(bool sessionsOutside)
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        using var client = Build(model, store, sessionsOutside);
        var options = new ChatOptions { ConversationId = ConversationId, Tools = [PriceToolModel.PriceTool()] };
        using var stop = new CancellationTokenSource();
        var shown = new List<string>();

        Assert.That(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("What does bitcoin cost?", options, stop.Token))
            {
                if (update.Text is { Length: > 0 } text)
                {
                    shown.Add(text);
                    await stop.CancelAsync(); // the user stops the answer after its first word
                }
            }
        }, Throws.InstanceOf<OperationCanceledException>());

        var turn = (await store.GetAsync(SessionId.FromConversationId(ConversationId)))!.GetAll().Single();
        Assert.Multiple(() =>
        {
            Assert.That(shown, Is.EqualTo(new[] { "Price" }));
            Assert.That(turn.Interrupted, Is.True);
            Assert.That(turn.Answer, Is.EqualTo("Price"));
            Assert.That(turn.ChatMessages.Select(m => m.Role), Is.EqualTo(new[] { ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant }),
                "the tool call and its result, then what was shown of the answer");
            Assert.That(turn.ChatMessages[1].Contents.OfType<FunctionCallContent>().Single().CallId,
                Is.EqualTo(turn.ChatMessages[2].Contents.OfType<FunctionResultContent>().Single().CallId));
            Assert.That(turn.ChatMessages[^1].Text, Is.EqualTo("Price"));
        });
    }

    [Test]
    public async Task Pipeline_StoppedWhileTheModelStreamsAFunctionCall_KeepsTheTextWithoutTheUnansweredCall()
    {
        using var model = new FakeChatClient();
        model.OnGetStreamingResponse = (_, _, ct) => TextThenCall(ct);
        using var store = new InMemorySessionStore();
        using var client = model.AsBuilder().UseDexterSessions(store).Build();
        using var stop = new CancellationTokenSource();

        await foreach (var update in client.GetStreamingResponseAsync("What does bitcoin cost?", new ChatOptions { ConversationId = ConversationId }, stop.Token))
        {
            if (update.Contents.OfType<FunctionCallContent>().Any())
            {
                break; // stopped as the call arrived, before any tool ran
            }
        }

        var turn = (await store.GetAsync(SessionId.FromConversationId(ConversationId)))!.GetAll().Single();
        Assert.Multiple(() =>
        {
            Assert.That(turn.Interrupted, Is.True);
            Assert.That(turn.Answer, Is.EqualTo("Let me look that up."));
            Assert.That(turn.ChatMessages.SelectMany(m => m.Contents).OfType<FunctionCallContent>(), Is.Empty, "a call without its result is not kept");
        });

        static async IAsyncEnumerable<ChatResponseUpdate> TextThenCall([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Let me look that up.");
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new FunctionCallContent("call-1", PriceToolModel.ToolName)]);
            await Task.Delay(Timeout.Infinite, ct);
        }
    }
}
