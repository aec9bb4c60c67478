using Dexter.Sessions.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using static Dexter.Sessions.AgentFramework.Tests.AgentRuns;

namespace Dexter.Sessions.AgentFramework.Tests.Agent;

/// <summary>
/// <see cref="DexterChatHistoryProvider"/> as the history provider of a real Agent Framework <see cref="ChatClientAgent"/>
/// (with its own function-invoking client and a tool) over a fake model.
/// </summary>
public sealed class DexterChatHistoryProviderTests
{
    private static readonly string[] Questions = ["What does bitcoin cost?", "And ether?", "What about both?"];

    [TestCase(false)]
    [TestCase(true)]
    public async Task RunAsync_ThreeRunsOnOneSession_RecordsThreeTurnsWithTheirToolCalls(bool streaming)
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var log = new CollectingLogger<DexterChatHistoryProvider>();
        var agent = CreateAgent(model, store, providerLogger: log);
        var session = await agent.CreateSessionAsync();

        var answers = new List<string>();
        foreach (var question in Questions)
        {
            answers.Add(await RunAsync(agent, question, session, streaming));
        }

        var turns = await TurnsAsync(store, session);
        Assert.Multiple(() =>
        {
            Assert.That(answers, Has.All.Contains("Price found: BTC costs 64000 USD"));
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(turns.Select(t => t.Query), Is.EqualTo(Questions));
            Assert.That(turns.Select(t => t.Answer), Is.EqualTo(Questions.Select(q => "Price found: BTC costs 64000 USD. You asked: " + q)));
            Assert.That(turns.Select(t => t.Summary), Has.All.Not.Empty);
            Assert.That(log.Entries.Select(e => e.EventId.Id), Is.EqualTo(new[] { 700 }), "one session started; every turn found where it began");
            foreach (var turn in turns)
            {
                // user message, assistant function call, tool result, final answer: the run's own messages only
                Assert.That(turn.ChatMessages.Select(m => m.Role), Is.EqualTo(new[] { ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant }));
                Assert.That(turn.ChatMessages[0].Text, Is.EqualTo(turn.Query));
                Assert.That(turn.ChatMessages[1].Contents.OfType<FunctionCallContent>().Single().Name, Is.EqualTo(PriceToolModel.ToolName));
                Assert.That(turn.ChatMessages[2].Contents.OfType<FunctionResultContent>().Single().Result?.ToString(), Does.Contain("BTC costs 64000 USD"));
            }
        });
    }

    [Test]
    public async Task RunAsync_ThirdRun_ModelInputHoldsTheSelectedEarlierTurns()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store, new DexterSessionsOptions { MaxContextMessages = 1, Selection = SessionSelection.Recent });
        var session = await agent.CreateSessionAsync();

        foreach (var question in Questions)
        {
            await agent.RunAsync(question, session);
        }

        // Each run calls the model twice (function call, then answer): the third run starts at request 4.
        var thirdRun = model.Requests[4];
        var system = thirdRun.Where(m => m.Role == ChatRole.System).Select(m => m.Text).ToList();
        var summary = system.Single(t => t.StartsWith("Summary of this conversation's earlier turns (1 to 1)", StringComparison.Ordinal));
        var context = string.Join("\n", system.Where(t => !ReferenceEquals(t, summary)));
        Assert.Multiple(() =>
        {
            Assert.That(model.Requests, Has.Count.EqualTo(6));
            Assert.That(model.Requests[0].Where(m => m.Role == ChatRole.System), Is.Empty, "the first run has no earlier turns");
            Assert.That(context, Does.Contain("- User: And ether?"), "the selected turn (the latest, with MaxContextMessages = 1)");
            Assert.That(context, Does.Not.Contain("What does bitcoin cost?"), "a turn the selector left out");
            Assert.That(summary, Does.Contain("#1 What does bitcoin cost?"), "which left the window and is in the rolling summary");
            Assert.That(thirdRun[^1].Text, Is.EqualTo("What about both?"));
        });
    }

    [Test]
    public async Task RunAsync_MessagesContextMode_ReplaysEarlierTurnsWithTheirToolCallsButRecordsOnlyTheNewRun()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store, new DexterSessionsOptions { ContextMode = SessionContextMode.Messages });
        var session = await agent.CreateSessionAsync();

        foreach (var question in Questions)
        {
            await agent.RunAsync(question, session);
        }

        var thirdRun = model.Requests[4];
        var turns = await TurnsAsync(store, session);
        Assert.Multiple(() =>
        {
            Assert.That(thirdRun.Where(m => m.Role == ChatRole.User).Select(m => m.Text), Is.EqualTo(Questions));
            Assert.That(thirdRun.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Count(), Is.EqualTo(2), "the earlier turns' tool calls");
            Assert.That(turns[2].ChatMessages.Where(m => m.Role == ChatRole.User).Select(m => m.Text), Is.EqualTo(new[] { "What about both?" }),
                "the supplied history is not recorded again");
            Assert.That(turns[2].ChatMessages.Any(m => m.AdditionalProperties?.ContainsKey("_attribution") == true), Is.False);
        });
    }

    [Test]
    public async Task RunStreamingAsync_SameRuns_RecordsTheSameTurnsAsRunAsync()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store);
        var plain = await agent.CreateSessionAsync();
        var streamed = await agent.CreateSessionAsync();

        foreach (var question in Questions)
        {
            await RunAsync(agent, question, plain, streaming: false);
            await RunAsync(agent, question, streamed, streaming: true);
        }

        var plainTurns = await TurnsAsync(store, plain);
        var streamedTurns = await TurnsAsync(store, streamed);
        static object Shape(Message t) => new
        {
            t.Id,
            t.Query,
            t.Answer,
            t.Summary,
            Messages = string.Join("|", t.ChatMessages.Select(m => m.Role + ":" + string.Join(",", m.Contents.Select(c => c.GetType().Name)))),
        };

        Assert.Multiple(() =>
        {
            Assert.That(plain.GetDexterSessionId(), Is.Not.EqualTo(streamed.GetDexterSessionId()));
            Assert.That(streamedTurns.Select(Shape), Is.EqualTo(plainTurns.Select(Shape)));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task RunAsync_ConcurrentRunsOnOneSession_LoseNoTurn(bool startedBefore)
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store);
        var session = await agent.CreateSessionAsync();
        var expected = new List<string>();
        if (startedBefore)
        {
            await agent.RunAsync("First question", session);
            expected.Add("First question");
        }

        var questions = Enumerable.Range(1, 16).Select(i => $"Question {i}").ToArray();
        expected.AddRange(questions);
        await Task.WhenAll(questions.Select((q, i) => Task.Run(() => RunAsync(agent, q, session, streaming: i % 2 == 0))));

        var turns = await TurnsAsync(store, session);
        Assert.Multiple(() =>
        {
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, expected.Count)));
            Assert.That(turns.Select(t => t.Query), Is.EquivalentTo(expected));
            Assert.That(turns.All(t => t.Answer == "Price found: BTC costs 64000 USD. You asked: " + t.Query), Is.True, "each turn keeps its own answer");
        });
    }

    [TestCase(false, 0)]
    [TestCase(false, 1)]
    [TestCase(true, 0)]
    [TestCase(true, 1)]
    public async Task RunAsync_ModelFails_RecordsNothing(bool streaming, int failingCall)
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var log = new CollectingLogger<SessionTurnPipeline>();
        var agent = CreateAgent(model, store, pipelineLogger: log);
        var session = await agent.CreateSessionAsync();
        await agent.RunAsync("What does bitcoin cost?", session);
        var calls = 0;
        var working = model.OnGetResponse!;
        var workingStream = model.OnGetStreamingResponse!;
        model.OnGetResponse = (m, o, c) => Interlocked.Increment(ref calls) - 1 == failingCall ? throw new HttpRequestException("The model is down.") : working(m, o, c);
        model.OnGetStreamingResponse = (m, o, c) => Interlocked.Increment(ref calls) - 1 == failingCall ? Fail() : workingStream(m, o, c);

        var error = Assert.CatchAsync<HttpRequestException>(() => RunAsync(agent, "And ether?", session, streaming));

        var turns = await TurnsAsync(store, session);
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Is.EqualTo("The model is down."));
            Assert.That(calls, Is.EqualTo(failingCall + 1));
            Assert.That(log.Entries.Where(e => e.EventId.Id == 1003).Select(e => e.Exception), Is.EqualTo(new[] { error }), "the failed turn is logged");
            Assert.That(turns.Select(t => t.Query), Is.EqualTo(new[] { "What does bitcoin cost?" }));
        });

        // The session goes on: the next run is turn 2.
        model.OnGetResponse = working;
        await agent.RunAsync("And ether?", session);
        Assert.That((await TurnsAsync(store, session)).Select(t => t.Id), Is.EqualTo(new[] { 1, 2 }));

        static async IAsyncEnumerable<ChatResponseUpdate> Fail()
        {
            await Task.Yield();
            throw new HttpRequestException("The model is down.");
#pragma warning disable CS0162 // an iterator needs a yield
            yield break;
#pragma warning restore CS0162
        }
    }

    [Test]
    public async Task RunAsync_Cancelled_RecordsNothing()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store);
        var session = await agent.CreateSessionAsync();
        await agent.RunAsync("What does bitcoin cost?", session);
        using var cancellation = new CancellationTokenSource();
        var working = model.OnGetResponse!;
        model.OnGetResponse = async (m, o, c) =>
        {
            var response = await working(m, o, c);
            await cancellation.CancelAsync(); // the caller gives up while the model answers
            c.ThrowIfCancellationRequested();
            return response;
        };

        Assert.CatchAsync<OperationCanceledException>(() => agent.RunAsync("And ether?", session, cancellationToken: cancellation.Token));

        Assert.That((await TurnsAsync(store, session)).Select(t => t.Query), Is.EqualTo(new[] { "What does bitcoin cost?" }));
    }

    [Test]
    public async Task RunStreamingAsync_ConsumerStopsEarly_RecordsNothingAndTheNextRunGoesOn()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store);
        var session = await agent.CreateSessionAsync();

        await foreach (var update in agent.RunStreamingAsync("What does bitcoin cost?", session))
        {
            break; // the first update is enough for this consumer
        }

        await agent.RunAsync("And ether?", session);

        Assert.That((await TurnsAsync(store, session)).Select(t => (t.Id, t.Query)), Is.EqualTo(new[] { (1, "And ether?") }));
    }

    [Test]
    public async Task RunAsync_NewSession_GetsANewSessionIdAtItsFirstRunThatLaterRunsKeep()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store);
        var first = await agent.CreateSessionAsync();
        var second = await agent.CreateSessionAsync();

        var before = first.GetDexterSessionId();
        await agent.RunAsync("What does bitcoin cost?", first);
        var after = first.GetDexterSessionId();
        await agent.RunAsync("And ether?", first);
        await agent.RunAsync("What does bitcoin cost?", second);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.Null);
            Assert.That(SessionId.IsValid(after), Is.True);
            Assert.That(first.GetDexterSessionId(), Is.EqualTo(after));
            Assert.That(second.GetDexterSessionId(), Is.Not.EqualTo(after));
            Assert.That(((ChatClientAgentSession)first).ConversationId, Is.Null, "the agent keeps managing the history locally");
        });
    }

    [Test]
    public async Task RunAsync_SessionSetToAnExistingSession_ContinuesIt()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        await store.AppendAsync("existing-session", new Message { Query = "What is Bitcoin?", Answer = "A digital currency.", Summary = "s" });
        var agent = CreateAgent(model, store);
        var session = (await agent.CreateSessionAsync()).SetDexterSessionId("existing-session");

        await agent.RunAsync("What does it cost?", session);

        var turns = (await store.GetAsync("existing-session"))!.GetAll();
        Assert.Multiple(() =>
        {
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(model.Requests[0].Any(m => m.Role == ChatRole.System && m.Text.Contains("- User: What is Bitcoin?", StringComparison.Ordinal)), Is.True);
        });
    }

    [Test]
    public async Task RunAsync_NoUserMessage_GivesNoContextAndRecordsNothing()
    {
        using var model = PriceToolModel.Create();
        model.OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Nothing to do.")));
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store);
        var session = (await agent.CreateSessionAsync()).SetDexterSessionId("quiet-session");

        var response = await agent.RunAsync([new ChatMessage(ChatRole.System, "Be brief.")], session);

        Assert.Multiple(async () =>
        {
            Assert.That(response.Text, Is.EqualTo("Nothing to do."));
            Assert.That(await store.ExistsAsync("quiet-session"), Is.False);
        });
    }

    [Test]
    public async Task RunAsync_QueryTooLong_FailsBeforeTheModelAndRecordsNothing()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = CreateAgent(model, store, new DexterSessionsOptions { MaxQueryLength = 10 });
        var session = (await agent.CreateSessionAsync()).SetDexterSessionId("short-session");

        var error = Assert.ThrowsAsync<ArgumentException>(() => agent.RunAsync("This question is too long.", session));

        Assert.Multiple(async () =>
        {
            Assert.That(error!.Message, Does.Contain("at most 10 are allowed"));
            Assert.That(model.Requests, Is.Empty);
            Assert.That(await store.ExistsAsync("short-session"), Is.False);
        });
    }

    [Test]
    public async Task GetService_AgentWithTheProvider_FindsTheStoreAndThePipeline()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var pipeline = new SessionTurnPipeline(store);
        var agent = CreateAgent(model, new DexterChatHistoryProvider(pipeline));

        Assert.Multiple(() =>
        {
            Assert.That(agent.GetService<ISessionStore>(), Is.SameAs(store));
            Assert.That(agent.GetService<SessionTurnPipeline>(), Is.SameAs(pipeline));
            Assert.That(agent.GetService<DexterChatHistoryProvider>(), Is.Not.Null);
            Assert.That(agent.ChatHistoryProvider?.StateKeys, Is.EqualTo(new[] { DexterChatHistoryProvider.StateKey }));
        });
    }
}
