using System.Runtime.CompilerServices;
using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Tests.Agent;

public sealed class DexterAgentStreamingTests : AgentTestBase
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private static async IAsyncEnumerable<ChatResponseUpdate> Tokens(IEnumerable<string> tokens, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var token in tokens)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, token);
        }
    }

    private static async Task<List<DexterAgentUpdate>> Collect(IAsyncEnumerable<DexterAgentUpdate> updates)
    {
        var list = new List<DexterAgentUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }

    [Test]
    public async Task RunStreamingAsync_YieldsTokensInTheModelsOrder_ThenOneCompletedUpdateWithTheRecordedTurn()
    {
        _model.OnGetStreamingResponse = (_, _, ct) => Tokens(["Bitcoin", " is", " digital", " money."], ct);

        var updates = await Collect(Create().RunStreamingAsync("What is Bitcoin?", _sessionId));

        var completed = updates[^1];
        var stored = (await _store.GetAsync(_sessionId))!.GetAll();
        Assert.Multiple(() =>
        {
            Assert.That(updates.Take(4).Select(u => (u.Kind, u.Text)), Is.EqualTo(new[]
            {
                (DexterAgentUpdateKind.Token, "Bitcoin"),
                (DexterAgentUpdateKind.Token, " is"),
                (DexterAgentUpdateKind.Token, " digital"),
                (DexterAgentUpdateKind.Token, " money."),
            }));
            Assert.That(updates.Count(u => u.Kind == DexterAgentUpdateKind.Completed), Is.EqualTo(1));
            Assert.That(completed.Kind, Is.EqualTo(DexterAgentUpdateKind.Completed));
            Assert.That(completed.Text, Is.EqualTo("Bitcoin is digital money."));
            Assert.That(completed.Turn, Is.Not.Null);
            Assert.That(completed.Turn!.Id, Is.EqualTo(1));
            Assert.That(completed.Turn.Answer, Is.EqualTo("Bitcoin is digital money."));
            Assert.That(completed.Turn.Summary, Is.EqualTo("What is Bitcoin? → Bitcoin is digital money."));
            Assert.That(stored, Is.EqualTo(new[] { completed.Turn }));
            Assert.That(updates.Select(u => u.SessionId), Is.All.EqualTo(_sessionId));
            Assert.That(updates[0].ModelUpdate!.Text, Is.EqualTo("Bitcoin"));
            Assert.That(updates[0].Turn, Is.Null);
            Assert.That(completed.ToString(), Is.EqualTo("Bitcoin is digital money."));
        });
    }

    [Test]
    public async Task RunStreamingAsync_EachTokenReachesTheCallerBeforeTheModelProducesTheNext()
    {
        using var gate = new SemaphoreSlim(0);
        var produced = 0;
        async IAsyncEnumerable<ChatResponseUpdate> GatedModel([EnumeratorCancellation] CancellationToken ct = default)
        {
            for (var i = 0; i < 3; i++)
            {
                if (i > 0 && !await gate.WaitAsync(Guard, ct))
                {
                    throw new TimeoutException($"token {i} was not handed to the caller before the model went on");
                }

                Interlocked.Increment(ref produced);
                yield return new ChatResponseUpdate(ChatRole.Assistant, "t" + i);
            }
        }

        _model.OnGetStreamingResponse = (_, _, ct) => GatedModel(ct);
        var producedWhenSeen = new List<int>();

        await foreach (var update in Create().RunStreamingAsync("q", _sessionId).WithCancellation(CancellationToken.None))
        {
            if (update.Kind == DexterAgentUpdateKind.Token)
            {
                producedWhenSeen.Add(Volatile.Read(ref produced));
                gate.Release();
            }
        }

        Assert.That(producedWhenSeen, Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public async Task RunStreamingAsync_TurnIsRecordedOnlyWhenTheStreamEnds()
    {
        var agent = Create();
        var existedDuringTokens = new List<bool>();

        await foreach (var update in agent.RunStreamingAsync("one two three", _sessionId))
        {
            if (update.Kind == DexterAgentUpdateKind.Token)
            {
                existedDuringTokens.Add(await _store.ExistsAsync(_sessionId));
            }
        }

        Assert.Multiple(async () =>
        {
            Assert.That(existedDuringTokens, Is.Not.Empty.And.All.False);
            Assert.That(await _store.ExistsAsync(_sessionId), Is.True);
        });
    }

    [Test]
    public async Task RunStreamingAsync_SecondQuestion_ModelReceivesTheFirstTurnAsContext()
    {
        var agent = Create();
        await Collect(agent.RunStreamingAsync("What is Bitcoin?", _sessionId));

        await Collect(agent.RunStreamingAsync("Why is it valuable?", _sessionId));

        var second = _model.Requests[1];
        Assert.Multiple(() =>
        {
            Assert.That(second.Select(m => m.Role), Is.EqualTo(new[] { ChatRole.System, ChatRole.User }));
            Assert.That(second[0].Text, Does.Contain("- User: What is Bitcoin?\n- Agent: Answer to: What is Bitcoin?"));
        });
    }

    [Test]
    public async Task RunStreamingAsync_UsageInTheStream_IsRecorded_AndUpdatesWithoutTextAreNotTokens()
    {
        async IAsyncEnumerable<ChatResponseUpdate> Model()
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "answer");
            yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 7, OutputTokenCount = 3 })] };
        }

        _model.OnGetStreamingResponse = (_, _, _) => Model();

        var updates = await Collect(Create().RunStreamingAsync("q", _sessionId));

        var turn = updates[^1].Turn!;
        Assert.Multiple(() =>
        {
            Assert.That(updates.Select(u => u.Kind), Is.EqualTo(new[] { DexterAgentUpdateKind.Token, DexterAgentUpdateKind.Completed }));
            Assert.That(turn.InputTokenCount, Is.EqualTo(7));
            Assert.That(turn.OutputTokenCount, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task RunStreamingAsync_ModelFailsMidStream_ThrowsAfterTheTokensSoFar_AndRecordsNothing()
    {
        async IAsyncEnumerable<ChatResponseUpdate> Model()
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
            throw new HttpRequestException("connection reset");
        }

        _model.OnGetStreamingResponse = (_, _, _) => Model();
        var seen = new List<string>();

        Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var update in Create().RunStreamingAsync("q", _sessionId))
            {
                seen.Add(update.Text);
            }
        });

        Assert.Multiple(async () =>
        {
            Assert.That(seen, Is.EqualTo(new[] { "partial" }));
            Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
            Assert.That(_logger.Entries.Select(e => e.EventId.Id), Does.Contain(1003));
        });
    }

    [Test]
    public async Task RunStreamingAsync_ModelFailsToStart_ThrowsAndRecordsNothing()
    {
        _model.OnGetStreamingResponse = (_, _, _) => throw new InvalidOperationException("no stream");

        Assert.ThrowsAsync<InvalidOperationException>(() => Collect(Create().RunStreamingAsync("q", _sessionId)));

        Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
    }

    private static DexterSessionsOptions Keeping(bool recordInterrupted) => new() { RecordInterruptedTurns = recordInterrupted };

    /// <summary>What a stopped run left in the store: the turn recorded with the partial answer, or nothing with the setting off.</summary>
    private async Task AssertStoppedAsync(bool recordInterrupted, string partial, Exception? thrown = null)
    {
        var turns = (await _store.GetAsync(_sessionId))?.GetAll() ?? [];
        if (!recordInterrupted)
        {
            Assert.Multiple(async () =>
            {
                Assert.That(await _store.ExistsAsync(_sessionId), Is.False, "the setting off: a stopped run records nothing");
                Assert.That(thrown, Is.Null.Or.Not.InstanceOf<TurnInterruptedException>());
            });
            return;
        }

        Assert.Multiple(() =>
        {
            Assert.That(turns, Has.Count.EqualTo(1));
            Assert.That(turns[0].Query, Is.EqualTo("q"));
            Assert.That(turns[0].Answer, Is.EqualTo(partial), "the answer is what the caller was shown");
            Assert.That(turns[0].Interrupted, Is.True);
            Assert.That(turns[0].ChatMessages.Select(m => (m.Role, m.Text)), Is.EqualTo(new[] { (ChatRole.User, "q"), (ChatRole.Assistant, partial) }));
            Assert.That(_logger.Entries.Select(e => e.EventId.Id), Does.Contain(1026), "logged as stopped and recorded");
            if (thrown is not null)
            {
                Assert.That(thrown, Is.InstanceOf<TurnInterruptedException>());
                Assert.That(((TurnInterruptedException)thrown).Turn, Is.EqualTo(turns[0]));
                Assert.That(((TurnInterruptedException)thrown).SessionId, Is.EqualTo(_sessionId));
            }
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task RunStreamingAsync_CancelledMidStream_ThrowsACancellation_AndKeepsThePartialAnswerMarkedInterrupted(bool recordInterrupted)
    {
        using var cts = new CancellationTokenSource();
        async IAsyncEnumerable<ChatResponseUpdate> Model([EnumeratorCancellation] CancellationToken ct = default)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "first");
            await Task.Delay(Timeout.Infinite, ct);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "never");
        }

        _model.OnGetStreamingResponse = (_, _, ct) => Model(ct);
        var seen = new List<string>();

        var thrown = Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in Create(Keeping(recordInterrupted)).RunStreamingAsync("q", _sessionId, cts.Token))
            {
                seen.Add(update.Text);
                await cts.CancelAsync();
            }
        });

        Assert.That(seen, Is.EqualTo(new[] { "first" }));
        await AssertStoppedAsync(recordInterrupted, "first", thrown);
        if (!recordInterrupted)
        {
            Assert.That(_logger.Entries.Select(e => e.EventId.Id), Does.Contain(1002), "logged as a cancellation");
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task RunStreamingAsync_CancelledMidStreamByAModelThatIgnoresTheToken_StopsAtTheNextUpdate(bool recordInterrupted)
    {
        using var cts = new CancellationTokenSource();
        _model.OnGetStreamingResponse = (_, _, _) => Tokens(["a", "b", "c"]);

        var thrown = Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in Create(Keeping(recordInterrupted)).RunStreamingAsync("q", _sessionId, cts.Token))
            {
                await cts.CancelAsync();
            }
        });

        await AssertStoppedAsync(recordInterrupted, "a", thrown);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task RunStreamingAsync_CancelledThroughWithCancellation_KeepsThePartialAnswer(bool recordInterrupted)
    {
        using var cts = new CancellationTokenSource();
        _model.OnGetStreamingResponse = (_, _, ct) => Tokens(["a", "b", "c"], ct);

        var thrown = Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in Create(Keeping(recordInterrupted)).RunStreamingAsync("q", _sessionId).WithCancellation(cts.Token))
            {
                await cts.CancelAsync();
            }
        });

        await AssertStoppedAsync(recordInterrupted, "a", thrown);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task RunStreamingAsync_ConsumerStopsEarly_KeepsWhatWasStreamed_AndDisposesTheModelStream(bool recordInterrupted)
    {
        var disposed = false;
        async IAsyncEnumerable<ChatResponseUpdate> Model()
        {
            try
            {
                for (var i = 0; i < 5; i++)
                {
                    await Task.Yield();
                    yield return new ChatResponseUpdate(ChatRole.Assistant, "t" + i);
                }
            }
            finally
            {
                disposed = true;
            }
        }

        _model.OnGetStreamingResponse = (_, _, _) => Model();

        await foreach (var update in Create(Keeping(recordInterrupted)).RunStreamingAsync("q", _sessionId))
        {
            break;
        }

        Assert.That(disposed, Is.True);
        await AssertStoppedAsync(recordInterrupted, "t0");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task RunStreamingAsync_ConsumerStopsAfterTheLastTokenBeforeCompleted_KeepsTheAnswerMarkedInterrupted(bool recordInterrupted)
    {
        _model.OnGetStreamingResponse = (_, _, ct) => Tokens(["a", "b"], ct);
        var tokens = 0;

        await foreach (var update in Create(Keeping(recordInterrupted)).RunStreamingAsync("q", _sessionId))
        {
            if (++tokens == 2)
            {
                break;
            }
        }

        await AssertStoppedAsync(recordInterrupted, "ab");
    }

    [Test]
    public async Task RunStreamingAsync_CancelledBeforeTheModelWroteText_RecordsNothing()
    {
        using var cts = new CancellationTokenSource();
        async IAsyncEnumerable<ChatResponseUpdate> Model([EnumeratorCancellation] CancellationToken ct = default)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails())]); // no text
            await cts.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "never");
        }

        _model.OnGetStreamingResponse = (_, _, ct) => Model(ct);

        var thrown = Assert.CatchAsync<OperationCanceledException>(() => Collect(Create().RunStreamingAsync("q", _sessionId, cts.Token)));

        Assert.Multiple(async () =>
        {
            Assert.That(thrown, Is.Not.InstanceOf<TurnInterruptedException>());
            Assert.That(await _store.ExistsAsync(_sessionId), Is.False, "no text, nothing to keep");
        });
    }

    [Test]
    public async Task RunStreamingAsync_StoppedWhileTheStoreIsDown_ThrowsThePlainCancellation_AndLogsWhatWasLost()
    {
        using var cts = new CancellationTokenSource();
        using var store = new AppendFailingStore();
        _model.OnGetStreamingResponse = (_, _, ct) => Tokens(["a", "b", "c"], ct);
        var agent = new DexterAgent(_model, store, options: Options.Create(new DexterSessionsOptions()), timeProvider: _clock, logger: _logger);

        var thrown = Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in agent.RunStreamingAsync("q", _sessionId, cts.Token))
            {
                await cts.CancelAsync();
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(thrown, Is.Not.InstanceOf<TurnInterruptedException>(), "nothing was recorded");
            Assert.That(_logger.Entries.Single(e => e.EventId.Id == 1027).Level, Is.EqualTo(LogLevel.Warning));
        });
    }

    [TestCase(SessionContextMode.Text)]
    [TestCase(SessionContextMode.Messages)]
    public async Task RunAsync_AfterAStoppedAnswer_TheContextShowsItAsStopped(SessionContextMode mode)
    {
        using var cts = new CancellationTokenSource();
        _model.OnGetStreamingResponse = (_, _, ct) => Tokens(["Bitcoin is", " a digital", " currency"], ct);
        var options = new DexterSessionsOptions { ContextMode = mode };
        await foreach (var update in Create(options).RunStreamingAsync("What is Bitcoin?", _sessionId))
        {
            break; // the user pressed stop after "Bitcoin is"
        }

        _model.OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));
        await Create(options).RunAsync("Go on", _sessionId);

        var sent = string.Join("\n", _model.Requests[^1].Select(m => m.Role + ": " + m.Text));
        Assert.Multiple(() =>
        {
            Assert.That(sent, Does.Contain("Bitcoin is"));
            Assert.That(sent, Does.Contain(TextContextFormat.InterruptedNote), "the model is told the answer was stopped");
            Assert.That(sent, Does.Not.Contain("a digital"), "nothing after the stop");
        });
    }

    [Test]
    public async Task RunStreamingAsync_SummarizerThrows_TurnIsStillRecordedWithTheTruncatedSummary()
    {
        _model.OnGetStreamingResponse = (_, _, ct) => Tokens(["an", " answer"], ct);
        var summarizer = new CallbackSummarizer((_, _, _) => throw new TimeoutException());

        var updates = await Collect(Create(summarizer: summarizer).RunStreamingAsync("q", _sessionId));

        Assert.Multiple(async () =>
        {
            Assert.That(updates[^1].Turn!.Summary, Is.EqualTo("q → an answer"));
            Assert.That((await _store.GetAsync(_sessionId))!.Count, Is.EqualTo(1));
            Assert.That(_logger.Entries.Single(e => e.EventId.Id == 1012).Level, Is.EqualTo(LogLevel.Warning));
        });
    }

    [Test]
    public void RunStreamingAsync_NothingHappensUntilEnumerated()
    {
        _ = Create().RunStreamingAsync("q", _sessionId);

        Assert.That(_model.Requests, Is.Empty);
    }

    [Test]
    public async Task RunStreamingAsync_WithAListener_EmitsAStreamingActivity()
    {
        using var activities = new ActivityRecorder();

        await Collect(Create().RunStreamingAsync("q", _sessionId));

        var activity = activities.Stopped.Single(a => (string?)a.GetTagItem("gen_ai.conversation.id") == _sessionId);
        Assert.Multiple(() =>
        {
            Assert.That(activity.OperationName, Is.EqualTo(DexterSessionsTelemetry.TurnActivityName));
            Assert.That(activity.GetTagItem("dexter.message.id"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RunStreamingAsync_CountsTheRecordedTurnOnTheMeter()
    {
        using var turns = new InstrumentRecorder("dexter.sessions.turns");

        await Collect(Create().RunStreamingAsync("q", _sessionId));

        Assert.That(turns.Sum, Is.EqualTo(1));
    }

    /// <summary>A store whose appends fail as a store that is down does.</summary>
    private sealed class AppendFailingStore() : DelegatingSessionStore(new InMemorySessionStore(), disposeInner: true)
    {
        public override Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default) =>
            throw new SessionStoreUnavailableException("The store cannot be reached.", null);
    }
}
