using Dexter.Sessions.Testing;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using static Dexter.Sessions.AgentFramework.Tests.AgentRuns;

namespace Dexter.Sessions.AgentFramework.Tests.Agent;

/// <summary>
/// Stopped answers through a real <see cref="ChatClientAgent"/> with <see cref="DexterChatHistoryProvider"/>, built with
/// <c>AsBuilder().UseDexterInterruptedTurns()</c>: the price tool runs, the answer starts streaming, and the caller stops it.
/// </summary>
public sealed class InterruptedTurnTests
{
    private static AIAgent Watched(IChatClient model, ISessionStore store, DexterSessionsOptions? options = null) =>
        CreateAgent(model, store, options).AsBuilder().UseDexterInterruptedTurns().Build();

    [Test]
    public async Task RunStreamingAsync_CancelledAfterTheFirstWord_RecordsTheTurnWithThatWord_MarkedInterrupted()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = Watched(model, store);
        var session = await agent.CreateSessionAsync();
        using var stop = new CancellationTokenSource();
        var shown = new List<string>();

        var thrown = Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in agent.RunStreamingAsync("What does bitcoin cost?", session, cancellationToken: stop.Token))
            {
                if (update.Text is { Length: > 0 } text)
                {
                    shown.Add(text);
                    await stop.CancelAsync(); // the user presses stop
                }
            }
        });

        var turn = (await TurnsAsync(store, session)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(shown, Is.EqualTo(new[] { "Price" }));
            Assert.That(thrown, Is.InstanceOf<TurnInterruptedException>());
            Assert.That(((TurnInterruptedException)thrown!).Turn, Is.EqualTo(turn));
            Assert.That(((TurnInterruptedException)thrown!).SessionId, Is.EqualTo(session.GetDexterSessionId()));
            Assert.That(turn.Query, Is.EqualTo("What does bitcoin cost?"));
            Assert.That(turn.Answer, Is.EqualTo("Price"));
            Assert.That(turn.Interrupted, Is.True);
        });
    }

    [Test]
    public async Task RunStreamingAsync_ConsumerLeavesAfterText_RecordsWhatWasStreamed_AndTheNextRunSeesItAsStopped()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = Watched(model, store);
        var session = await agent.CreateSessionAsync();

        var words = 0;
        await foreach (var update in agent.RunStreamingAsync("What does bitcoin cost?", session))
        {
            if (update.Text is { Length: > 0 } && ++words == 2)
            {
                break; // the client went away after two words
            }
        }

        await agent.RunAsync("And ether?", session);

        var turns = await TurnsAsync(store, session);
        var secondRunInput = model.Requests[^2]; // the second run's first model round
        Assert.Multiple(() =>
        {
            Assert.That(turns.Select(t => (t.Id, t.Interrupted)), Is.EqualTo(new[] { (1, true), (2, false) }));
            Assert.That(turns[0].Answer, Is.EqualTo("Price found:"));
            Assert.That(secondRunInput.Any(m => m.Text.Contains(TextContextFormat.InterruptedNote, StringComparison.Ordinal)), Is.True,
                "the next run's context shows the answer as stopped");
        });
    }

    [Test]
    public async Task RunStreamingAsync_WholeAnswer_IsRecordedOnce_NotInterrupted()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = Watched(model, store);
        var session = await agent.CreateSessionAsync();

        var text = await RunAsync(agent, "What does bitcoin cost?", session, streaming: true);

        var turn = (await TurnsAsync(store, session)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(turn.Answer, Is.EqualTo(text));
            Assert.That(turn.Interrupted, Is.False);
            Assert.That(turn.ChatMessages.Select(m => m.Role), Is.EqualTo(new[] { ChatRole.User, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant }));
        });
    }

    [Test]
    public async Task RunStreamingAsync_ModelFailsAfterText_RecordsNothing()
    {
        using var model = PriceToolModel.Create();
        var working = model.OnGetStreamingResponse!;
        model.OnGetStreamingResponse = (m, o, c) => m.Any(x => x.Role == ChatRole.Tool) ? FailAfterAWord() : working(m, o, c);
        using var store = new InMemorySessionStore();
        var agent = Watched(model, store);
        var session = await agent.CreateSessionAsync();

        Assert.ThrowsAsync<HttpRequestException>(() => RunAsync(agent, "What does bitcoin cost?", session, streaming: true));

        Assert.That(await TurnsAsync(store, session), Is.Empty, "a failure is not a stop");

        static async IAsyncEnumerable<ChatResponseUpdate> FailAfterAWord()
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Price");
            throw new HttpRequestException("The model's connection was reset.");
        }
    }

    [Test]
    public async Task RunStreamingAsync_Stopped_WithRecordInterruptedTurnsOff_RecordsNothing()
    {
        using var model = PriceToolModel.Create();
        using var store = new InMemorySessionStore();
        var agent = Watched(model, store, new DexterSessionsOptions { RecordInterruptedTurns = false });
        var session = await agent.CreateSessionAsync();
        using var stop = new CancellationTokenSource();

        var thrown = Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in agent.RunStreamingAsync("What does bitcoin cost?", session, cancellationToken: stop.Token))
            {
                if (update.Text.Length > 0)
                {
                    await stop.CancelAsync();
                }
            }
        });

        Assert.Multiple(async () =>
        {
            Assert.That(thrown, Is.Not.InstanceOf<TurnInterruptedException>());
            Assert.That(await TurnsAsync(store, session), Is.Empty);
        });
    }

    [Test]
    public void UseDexterInterruptedTurns_OverAnAgentWithoutTheProvider_SaysWhatIsMissing()
    {
        using var model = PriceToolModel.Create();
        var plain = model.AsAIAgent(new ChatClientAgentOptions { Name = "plain" });

        Assert.That(() => plain.AsBuilder().UseDexterInterruptedTurns().Build(),
            Throws.InvalidOperationException.With.Message.Contains("DexterChatHistoryProvider").And.Message.Contains("UseDexterSessions"));
    }
}
