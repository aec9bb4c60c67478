using System.Diagnostics;
using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Dexter.Sessions.Tests.Agent;

public sealed class DexterAgentTests : AgentTestBase
{
    [Test]
    public async Task RunAsync_SecondQuestion_ModelReceivesTheFirstTurnAsTextContext()
    {
        var agent = Create();

        var first = await agent.RunAsync("What is Bitcoin?", _sessionId);
        var second = await agent.RunAsync("Why is it valuable?", _sessionId);

        var requests = _model.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(requests, Has.Count.EqualTo(2));
            Assert.That(requests[0].Select(m => (m.Role, m.Text)), Is.EqualTo(new[] { (ChatRole.User, "What is Bitcoin?") }), "no context on the first question");
            Assert.That(requests[1].Select(m => m.Role), Is.EqualTo(new[] { ChatRole.System, ChatRole.User }));
            Assert.That(requests[1][0].Text, Is.EqualTo(
                "## Previous Conversation Context\n\n**Turn 1:**\n- User: What is Bitcoin?\n- Agent: Answer to: What is Bitcoin?\n\n---\n"));
            Assert.That(requests[1][1].Text, Is.EqualTo("Why is it valuable?"));
            Assert.That(first.Context, Is.Empty);
            Assert.That(second.Context, Is.EqualTo(new[] { first.Turn }));
            Assert.That(second.Answer, Is.EqualTo("Answer to: Why is it valuable?"));
        });
    }

    [Test]
    public async Task RunAsync_ThirdQuestion_ContextHoldsBothEarlierTurnsInOrder()
    {
        var agent = Create();
        await agent.RunAsync("What is Bitcoin?", _sessionId);
        await agent.RunAsync("Why is it valuable?", _sessionId);

        await agent.RunAsync("How do miners earn rewards?", _sessionId);

        var context = _model.Requests[2][0].Text;
        Assert.Multiple(() =>
        {
            Assert.That(context, Does.Contain("**Turn 1:**\n- User: What is Bitcoin?"));
            Assert.That(context, Does.Contain("**Turn 2:**\n- User: Why is it valuable?"));
            Assert.That(context.IndexOf("Turn 1", StringComparison.Ordinal), Is.LessThan(context.IndexOf("Turn 2", StringComparison.Ordinal)));
        });
    }

    [Test]
    public async Task RunAsync_WithInstructions_SendsThemFirstAsASystemMessage()
    {
        var agent = Create(new DexterSessionsOptions { Instructions = "You are Dexter." });
        await agent.RunAsync("q1", _sessionId);

        await agent.RunAsync("q2", _sessionId);

        var requests = _model.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(requests[0].Select(m => (m.Role, m.Text)), Is.EqualTo(new[] { (ChatRole.System, "You are Dexter."), (ChatRole.User, "q1") }));
            Assert.That(requests[1].Select(m => m.Role), Is.EqualTo(new[] { ChatRole.System, ChatRole.System, ChatRole.User }));
            Assert.That(requests[1][0].Text, Is.EqualTo("You are Dexter."));
            Assert.That(requests[1][1].Text, Does.StartWith(TextContextFormat.Header));
        });
    }

    [Test]
    public async Task RunAsync_RecordsTheTurnWithIdSummaryUsageAndTimes()
    {
        _model.OnGetResponse = (_, _, _) =>
        {
            _clock.Advance(TimeSpan.FromSeconds(3));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "A digital currency."))
            {
                Usage = new UsageDetails { InputTokenCount = 120, OutputTokenCount = 45 },
            });
        };
        var agent = Create();

        var response = await agent.RunAsync("What is Bitcoin?", _sessionId);

        var turn = response.Turn;
        Assert.Multiple(async () =>
        {
            Assert.That(turn.Id, Is.EqualTo(1));
            Assert.That(turn.Query, Is.EqualTo("What is Bitcoin?"));
            Assert.That(turn.Answer, Is.EqualTo("A digital currency."));
            Assert.That(turn.Summary, Is.EqualTo("What is Bitcoin? → A digital currency."));
            Assert.That(turn.InputTokenCount, Is.EqualTo(120));
            Assert.That(turn.OutputTokenCount, Is.EqualTo(45));
            Assert.That(turn.ResponseTime, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(turn.CreatedAt, Is.EqualTo(Start.AddSeconds(3)));
            Assert.That(await Stored(), Is.EqualTo(new[] { turn }));
            Assert.That(response.SessionId, Is.EqualTo(_sessionId));
            Assert.That(response.Answer, Is.EqualTo("A digital currency."));
            Assert.That(response.ToString(), Is.EqualTo("A digital currency."));
            Assert.That(response.ModelResponse.Usage!.InputTokenCount, Is.EqualTo(120));
        });
    }

    [Test]
    public async Task RunAsync_EachRun_GetsTheNextId()
    {
        var agent = Create();

        var ids = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await agent.RunAsync("q" + i, _sessionId)).Turn.Id);
        }

        Assert.That(ids, Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public async Task RunAsync_ConcurrentRunsOnOneSession_RecordEveryTurnOnceWithDistinctIds()
    {
        var agent = Create();

        var responses = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => agent.RunAsync("q" + i, _sessionId))));

        var stored = await Stored();
        Assert.Multiple(() =>
        {
            Assert.That(responses.Select(r => r.Turn.Id).Order(), Is.EqualTo(Enumerable.Range(1, 32)));
            Assert.That(stored.Select(m => m.Id), Is.EqualTo(Enumerable.Range(1, 32)));
            Assert.That(stored.Select(m => m.Query).Distinct().Count(), Is.EqualTo(32));
        });
    }

    [Test]
    public async Task RunAsync_ModelWithoutUsage_RecordsNoTokenCounts()
    {
        _model.OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "a")));

        var turn = (await Create().RunAsync("q", _sessionId)).Turn;

        Assert.Multiple(() =>
        {
            Assert.That(turn.InputTokenCount, Is.Null);
            Assert.That(turn.OutputTokenCount, Is.Null);
        });
    }

    [Test]
    public async Task RunAsync_MaxContextMessages_LimitsTheContextToTheLatestTurns()
    {
        var agent = Create(new DexterSessionsOptions { MaxContextMessages = 2, Selection = SessionSelection.Recent });
        for (var i = 1; i <= 3; i++)
        {
            await agent.RunAsync("q" + i, _sessionId);
        }

        var response = await agent.RunAsync("q4", _sessionId);

        var context = _model.Requests[3][^2].Text; // the planning block; turn 1 left the window and is in the rolling summary before it
        Assert.Multiple(() =>
        {
            Assert.That(response.Context.Select(m => m.Id), Is.EqualTo(new[] { 2, 3 }));
            Assert.That(_model.Requests[3][0].Text, Does.StartWith(SessionContextBuilder.RollingSummaryHeader(1)));
            Assert.That(context, Does.Not.Contain("- User: q1\n"));
            Assert.That(context, Does.Contain("**Turn 2:**").And.Contain("**Turn 3:**"));
        });
    }

    [Test]
    public async Task RunAsync_CustomSelector_GetsTheCandidatesItAsksFor_AndItsChoiceIsTheContext()
    {
        var selector = new RecordingSelector { CandidateCount = 5, OnSelect = c => [c.Turns[0]] };
        var agent = Create(new DexterSessionsOptions { MaxContextMessages = 2 }, selector: selector);
        for (var i = 1; i <= 6; i++)
        {
            await _store.AppendAsync(_sessionId, new Message { Query = "q" + i, Answer = "a" + i });
        }

        var response = await agent.RunAsync("next", _sessionId);

        var context = selector.Contexts.Single();
        Assert.Multiple(() =>
        {
            Assert.That(context.Turns.Select(m => m.Id), Is.EqualTo(new[] { 2, 3, 4, 5, 6 }));
            Assert.That(context.MaxMessages, Is.EqualTo(2));
            Assert.That(context.Query, Is.EqualTo("next"));
            Assert.That(context.SessionId, Is.EqualTo(_sessionId));
            Assert.That(response.Context.Select(m => m.Id), Is.EqualTo(new[] { 2 }));
            Assert.That(_model.Requests[0][0].Text, Does.Contain("**Turn 2:**").And.Not.Contain("**Turn 6:**"));
        });
    }

    [Test]
    public async Task RunAsync_EmptySession_DoesNotCallTheSelector()
    {
        var selector = new RecordingSelector();

        await Create(selector: selector).RunAsync("q", _sessionId);

        Assert.That(selector.Contexts, Is.Empty);
    }

    [Test]
    public async Task RunAsync_SelectorThrows_UsesTheLatestTurns_AndWarns()
    {
        var selector = new RecordingSelector { OnSelect = _ => throw new InvalidOperationException("index missing") };
        var agent = Create(new DexterSessionsOptions { MaxContextMessages = 2 }, selector: selector);
        for (var i = 1; i <= 3; i++)
        {
            await _store.AppendAsync(_sessionId, new Message { Query = "q" + i, Answer = "a" + i });
        }

        using var fallbacks = new InstrumentRecorder("dexter.sessions.selector.fallbacks");
        var response = await agent.RunAsync("q4", _sessionId);

        var warning = _logger.Entries.Single(e => e.EventId.Id == 1010);
        Assert.Multiple(async () =>
        {
            Assert.That(response.Context.Select(m => m.Id), Is.EqualTo(new[] { 2, 3 }));
            Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warning.Exception!.Message, Is.EqualTo("index missing"));
            Assert.That(warning.Message, Does.Contain(nameof(RecordingSelector)));
            Assert.That(fallbacks.Sum, Is.EqualTo(1));
            Assert.That((await Stored()).Count, Is.EqualTo(4), "the turn is recorded");
        });
    }

    [Test]
    public async Task RunAsync_SelectorPreparesTheTurn_PreparedTurnIsRecorded()
    {
        var selector = new RecordingSelector { OnPrepare = m => m with { Embedding = new float[] { 0.5f, 0.25f } } };

        var response = await Create(selector: selector).RunAsync("q", _sessionId);

        Assert.Multiple(async () =>
        {
            Assert.That(response.Turn.Embedding.ToArray(), Is.EqualTo(new[] { 0.5f, 0.25f }));
            Assert.That((await Stored()).Single().Embedding.ToArray(), Is.EqualTo(new[] { 0.5f, 0.25f }));
        });
    }

    [Test]
    public async Task RunAsync_SelectorFailsToPrepareTheTurn_TurnIsRecordedAsIs_AndWarns()
    {
        var selector = new RecordingSelector { OnPrepare = _ => throw new InvalidOperationException("embedder down") };

        var response = await Create(selector: selector).RunAsync("q", _sessionId);

        Assert.Multiple(async () =>
        {
            Assert.That(response.Turn.Id, Is.EqualTo(1));
            Assert.That(response.Turn.Embedding.IsEmpty, Is.True);
            Assert.That((await Stored()).Count, Is.EqualTo(1));
            Assert.That(_logger.Entries.Single(e => e.EventId.Id == 1011).Level, Is.EqualTo(LogLevel.Warning));
        });
    }

    [Test]
    public async Task RunAsync_CustomSummarizer_GetsQueryAndAnswer_AndItsSummaryIsRecorded()
    {
        (string Query, string Answer)? seen = null;
        var summarizer = new CallbackSummarizer((q, a, _) =>
        {
            seen = (q, a);
            return new ValueTask<string>("Bitcoin defined.");
        });

        var response = await Create(summarizer: summarizer).RunAsync("What is Bitcoin?", _sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.EqualTo(("What is Bitcoin?", "Answer to: What is Bitcoin?")));
            Assert.That(response.Turn.Summary, Is.EqualTo("Bitcoin defined."));
        });
    }

    [Test]
    public async Task RunAsync_SummarizerThrows_TurnIsStillRecordedWithTheTruncatedSummary_AndWarns()
    {
        var summarizer = new CallbackSummarizer((_, _, _) => throw new InvalidOperationException("summary model down"));
        using var fallbacks = new InstrumentRecorder("dexter.sessions.summarizer.fallbacks");

        var response = await Create(summarizer: summarizer).RunAsync("What is Bitcoin?", _sessionId);

        var warning = _logger.Entries.Single(e => e.EventId.Id == 1012);
        Assert.Multiple(async () =>
        {
            Assert.That(response.Turn.Summary, Is.EqualTo(TruncatingSummarizer.Summarize("What is Bitcoin?", "Answer to: What is Bitcoin?")));
            Assert.That((await Stored()).Single().Summary, Is.EqualTo(response.Turn.Summary));
            Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warning.Message, Does.Contain(nameof(CallbackSummarizer)));
            Assert.That(fallbacks.Measurements.Single().Tag("reason"), Is.EqualTo(nameof(InvalidOperationException)));
        });
    }

    [Test]
    public async Task RunAsync_ModelFails_ThrowsThatException_RecordsNothing_AndWarns()
    {
        var agent = Create();
        await agent.RunAsync("q1", _sessionId);
        var failure = new HttpRequestException("model unavailable");
        _model.OnGetResponse = (_, _, _) => Task.FromException<ChatResponse>(failure);

        var thrown = Assert.ThrowsAsync<HttpRequestException>(() => agent.RunAsync("q2", _sessionId));

        Assert.Multiple(async () =>
        {
            Assert.That(thrown, Is.SameAs(failure));
            Assert.That((await Stored()).Select(m => m.Query), Is.EqualTo(new[] { "q1" }));
            Assert.That(_logger.Entries.Single(e => e.EventId.Id == 1003).Exception, Is.SameAs(failure));
        });
    }

    [Test]
    public async Task RunAsync_ModelFailsOnTheFirstTurn_SessionIsNotCreated()
    {
        _model.OnGetResponse = (_, _, _) => throw new InvalidOperationException("boom");

        Assert.ThrowsAsync<InvalidOperationException>(() => Create().RunAsync("q", _sessionId));

        Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
    }

    [Test]
    public async Task RunAsync_CancelledWhileTheModelAnswers_ThrowsAndRecordsNothing()
    {
        using var cts = new CancellationTokenSource();
        var modelStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _model.OnGetResponse = async (_, _, token) =>
        {
            modelStarted.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return new ChatResponse();
        };

        var run = Create().RunAsync("q", _sessionId, cts.Token);
        await modelStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await cts.CancelAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(async () => await run.WaitAsync(TimeSpan.FromSeconds(5)), Throws.InstanceOf<OperationCanceledException>());
            Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
            Assert.That(_logger.Entries.Single(e => e.EventId.Id == 1002).Level, Is.EqualTo(LogLevel.Information));
            Assert.That(LoggedEvents(), Does.Not.Contain(1003), "a cancellation is not a failure");
        });
    }

    [Test]
    public async Task RunAsync_ModelTimesOutWithTaskCanceled_IsLoggedAsAFailureNotACancellation()
    {
        var timeout = new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException());
        _model.OnGetResponse = (_, _, _) => Task.FromException<ChatResponse>(timeout);

        Assert.That(async () => await Create().RunAsync("q", _sessionId), Throws.InstanceOf<TaskCanceledException>());

        Assert.Multiple(async () =>
        {
            Assert.That(_logger.Entries.Single(e => e.EventId.Id == 1003).Exception, Is.SameAs(timeout));
            Assert.That(LoggedEvents(), Does.Not.Contain(1002));
            Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
        });
    }

    [Test]
    public async Task RunAsync_CancelledAfterTheModelAnsweredButBeforeRecording_RecordsNothing()
    {
        using var cts = new CancellationTokenSource();
        var summarizer = new CallbackSummarizer((q, a, _) =>
        {
            cts.Cancel(); // the caller gives up while the summary is made; the summarizer does not notice
            return new ValueTask<string>("summary");
        });

        Assert.That(async () => await Create(summarizer: summarizer).RunAsync("q", _sessionId, cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
    }

    [Test]
    public async Task RunAsync_SummarizerObservesCancellation_ThrowsWithoutFallback_AndRecordsNothing()
    {
        using var cts = new CancellationTokenSource();
        var summarizer = new CallbackSummarizer((_, _, token) =>
        {
            cts.Cancel();
            token.ThrowIfCancellationRequested();
            return new ValueTask<string>("never");
        });

        Assert.That(async () => await Create(summarizer: summarizer).RunAsync("q", _sessionId, cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(async () =>
        {
            Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
            Assert.That(LoggedEvents(), Does.Not.Contain(1012));
        });
    }

    [Test]
    public void RunAsync_AlreadyCancelled_ThrowsWithoutCallingTheModel()
    {
        Assert.That(async () => await Create().RunAsync("q", _sessionId, new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(_model.Requests, Is.Empty);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("\n\t")]
    public void RunAsync_NoQuery_ThrowsArgumentExceptionNamingQuery(string? query)
    {
        var agent = Create();

        Assert.Multiple(() =>
        {
            Assert.That(() => agent.RunAsync(query!, _sessionId), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("query"));
            Assert.That(() => agent.RunAsync(query!, new MessageHistory()), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("query"));
            Assert.That(() => agent.RunStreamingAsync(query!, _sessionId), Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("query"));
            Assert.That(_model.Requests, Is.Empty);
        });
    }

    [Test]
    public void RunAsync_QueryLongerThanTheLimit_ThrowsArgumentExceptionNamingQueryAndTheSetting()
    {
        var agent = Create(new DexterSessionsOptions { MaxQueryLength = 10 });

        var ex = Assert.ThrowsAsync<ArgumentException>(() => agent.RunAsync(new string('q', 11), _sessionId));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("query"));
            Assert.That(ex.Message, Does.Contain("11 characters").And.Contain("at most 10").And.Contain("MaxQueryLength"));
            Assert.That(_model.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task RunAsync_QueryOfExactlyTheLimit_IsAccepted()
    {
        var response = await Create(new DexterSessionsOptions { MaxQueryLength = 10 }).RunAsync(new string('q', 10), _sessionId);

        Assert.That(response.Turn.Id, Is.EqualTo(1));
    }

    [Test]
    public void RunAsync_DefaultQueryLimit_Is8000Characters()
    {
        var agent = Create();

        Assert.That(() => agent.RunAsync(new string('q', 8001), _sessionId), Throws.ArgumentException.With.Property("ParamName").EqualTo("query"));
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase("has space")]
    [TestCase("../etc/passwd")]
    [TestCase("a:b")]
    public void RunAsync_InvalidSessionId_ThrowsArgumentExceptionNamingSessionId(string sessionId)
    {
        var agent = Create();

        Assert.Multiple(() =>
        {
            Assert.That(() => agent.RunAsync("q", sessionId), Throws.ArgumentException.With.Property("ParamName").EqualTo("sessionId"));
            Assert.That(() => agent.RunStreamingAsync("q", sessionId), Throws.ArgumentException.With.Property("ParamName").EqualTo("sessionId"));
            Assert.That(_model.Requests, Is.Empty);
        });
    }

    [Test]
    public void RunAsync_NullSessionId_ThrowsArgumentNullExceptionNamingSessionId()
    {
        Assert.That(() => Create().RunAsync("q", (string)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("sessionId"));
    }

    [Test]
    public async Task RunAsync_WithHistory_AddsTheTurnToTheHistory_WithoutAnyStore()
    {
        var store = new Mock<ISessionStore>(MockBehavior.Strict);
        var agent = new DexterAgent(_model, store.Object, timeProvider: _clock);
        var history = new MessageHistory();

        var first = await agent.RunAsync("What is Bitcoin?", history);
        var second = await agent.RunAsync("Why is it valuable?", history);

        Assert.Multiple(() =>
        {
            Assert.That(history.GetAll().Select(m => (m.Id, m.Query)), Is.EqualTo(new[] { (1, "What is Bitcoin?"), (2, "Why is it valuable?") }));
            Assert.That(first.SessionId, Is.Null);
            Assert.That(second.Turn, Is.EqualTo(history.Last()));
            Assert.That(second.Turn.Summary, Is.EqualTo("Why is it valuable? → Answer to: Why is it valuable?"));
            Assert.That(second.Context, Is.EqualTo(new[] { first.Turn }));
            Assert.That(_model.Requests[1][0].Text, Does.Contain("- User: What is Bitcoin?"));
            Assert.That(store.Invocations, Is.Empty);
        });
    }

    [Test]
    public async Task RunAsync_HistoryMadeWithItsOwnSelector_ThatSelectorChoosesTheContext()
    {
#pragma warning disable CS0618 // the history's former selector role is kept for one version, and must keep working until then
        var selector = new RecordingSelector { OnSelect = c => [c.Turns[0]] };
        var history = new MessageHistory(selector) { MaxContextMessages = 4 };
#pragma warning restore CS0618
        history.AddTurn("first question", "first answer");
        history.AddTurn("second question", "second answer");

        var response = await Create().RunAsync("third question", history);

        Assert.Multiple(() =>
        {
            Assert.That(selector.Contexts.Single().Query, Is.EqualTo("third question"));
            Assert.That(selector.Contexts.Single().MaxMessages, Is.EqualTo(4));
            Assert.That(response.Context.Select(t => t.Id), Is.EqualTo(new[] { 1 }));
            Assert.That(history.Count, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task RunAsync_TwoHistoriesOnOneAgent_EachContextHoldsOnlyItsOwnTurns()
    {
        // The default selector ranks the whole session through caches keyed by session id; every history has the same one.
        var agent = Create();
        // The two histories end alike (the same latest turns, at the same times) and began apart: only their older turns tell them apart.
        var alpha = new MessageHistory();
        var beta = new MessageHistory();
        for (var i = 1; i <= 5; i++)
        {
            alpha.Add(new Message { Query = $"What is river fact {i} of Alphaville?", Answer = $"Alpha river fact {i}.", CreatedAt = Start });
            beta.Add(new Message { Query = $"What is river fact {i} of Betatown?", Answer = $"Beta river fact {i}.", CreatedAt = Start });
        }

        for (var i = 6; i <= 15; i++)
        {
            var smallTalk = new Message { Query = $"Small talk {i}?", Answer = $"Small answer {i}.", CreatedAt = Start.AddMinutes(i) };
            alpha.Add(smallTalk);
            beta.Add(smallTalk);
        }

        // The first run fails after reading alpha: nothing is recorded, so nothing tells a cache keyed by session id that beta differs.
        _model.OnGetResponse = (_, _, _) => throw new InvalidOperationException("The model is down.");
        Assert.ThrowsAsync<InvalidOperationException>(() => agent.RunAsync("Tell me the river facts again.", alpha));
        _model.OnGetResponse = null;
        await agent.RunAsync("Tell me the river facts again.", beta);
        beta.Clear();
        beta.AddTurn("Which lake is near Gammaburg?", "Lake Gamma.");
        await agent.RunAsync("Tell me about the lake again.", beta);

        var contexts = _model.Requests.Select(r => string.Join("\n", r.Select(m => m.Text))).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(contexts[0], Does.Contain("Alphaville").And.Not.Contain("Beta"));
            Assert.That(contexts[1], Does.Contain("Betatown").And.Not.Contain("Alpha"));
            Assert.That(contexts[2], Does.Contain("Gammaburg").And.Not.Contain("Betatown").And.Not.Contain("Alpha"));
            Assert.That(alpha.Count, Is.EqualTo(15));
            Assert.That(beta.GetAll().Select(t => t.Id), Is.EqualTo(new[] { 1, 2 }));
        });
    }

    [Test]
    public void RunAsync_WithHistory_ModelFails_HistoryIsUnchanged()
    {
        var history = new MessageHistory();
        history.AddTurn("q1", "a1");
        _model.OnGetResponse = (_, _, _) => throw new InvalidOperationException("boom");

        Assert.ThrowsAsync<InvalidOperationException>(() => Create().RunAsync("q2", history));

        Assert.That(history.Count, Is.EqualTo(1));
    }

    [Test]
    public void RunAsync_WithHistory_CancelledAfterTheModelAnswered_AddsNothing()
    {
        using var cts = new CancellationTokenSource();
        var summarizer = new CallbackSummarizer((_, _, _) =>
        {
            cts.Cancel(); // the caller gives up while the summary is made; the summarizer does not notice
            return new ValueTask<string>("summary");
        });
        var history = new MessageHistory();

        Assert.That(async () => await Create(summarizer: summarizer).RunAsync("q", history, cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(history.Count, Is.Zero);
    }

    [Test]
    public void RunAsync_WithHistory_CancelledWhileTheModelAnswers_AddsNothing()
    {
        using var cts = new CancellationTokenSource();
        _model.OnGetResponse = async (_, _, token) =>
        {
            await cts.CancelAsync();
            await Task.Delay(Timeout.Infinite, token);
            return new ChatResponse();
        };
        var history = new MessageHistory();

        Assert.That(async () => await Create().RunAsync("q", history, cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(history.Count, Is.Zero);
    }

    [Test]
    public void RunAsync_WithNullHistory_ThrowsNamingIt()
    {
        Assert.That(() => Create().RunAsync("q", (MessageHistory)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("history"));
    }

    [Test]
    public void Constructor_NullArguments_ThrowNamingThem()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new DexterAgent(null!, _store), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("chatClient"));
            Assert.That(() => new DexterAgent(_model, store: null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("store"));
        });
    }

    [Test]
    public async Task Constructor_OnlyModelAndStore_UsesTheDefaults()
    {
        var agent = new DexterAgent(_model, _store);

        var response = await agent.RunAsync("What is Bitcoin?", _sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(agent.Store, Is.SameAs(_store));
            Assert.That(response.Turn.Summary, Is.EqualTo("What is Bitcoin? → Answer to: What is Bitcoin?"));
        });
    }

    [Test]
    public async Task RunAsync_LogsTheRecordedTurn_AndItsContentOnlyAtTrace()
    {
        await Create().RunAsync("secret question", _sessionId);

        var recorded = _logger.Entries.Single(e => e.EventId.Id == 1000);
        var content = _logger.Entries.Single(e => e.EventId.Id == 1001);
        Assert.Multiple(() =>
        {
            Assert.That(recorded.Level, Is.EqualTo(LogLevel.Information));
            Assert.That(recorded.Message, Does.Contain("turn 1").And.Contain(_sessionId).And.Not.Contain("secret"));
            Assert.That(content.Level, Is.EqualTo(LogLevel.Trace));
            Assert.That(content.Message, Does.Contain("secret question"));
            Assert.That(_logger.Entries.Where(e => e.Message.Contains("secret", StringComparison.Ordinal)).Select(e => e.Level),
                Is.All.EqualTo(LogLevel.Trace));
        });
    }

    [Test]
    public async Task RunAsync_WithAListener_EmitsAnActivityWithSessionAndMessageIds()
    {
        using var activities = new ActivityRecorder();

        await Create().RunAsync("q", _sessionId);

        var activity = activities.Stopped.Single(a => (string?)a.GetTagItem("gen_ai.conversation.id") == _sessionId);
        Assert.Multiple(() =>
        {
            Assert.That(activity.OperationName, Is.EqualTo(DexterSessionsTelemetry.TurnActivityName));
            Assert.That(activity.GetTagItem("dexter.message.id"), Is.EqualTo(1));
            Assert.That(activity.Status, Is.Not.EqualTo(ActivityStatusCode.Error));
        });
    }

    [Test]
    public void RunAsync_FailingRunWithAListener_MarksTheActivityAsError()
    {
        using var activities = new ActivityRecorder();
        _model.OnGetResponse = (_, _, _) => throw new InvalidOperationException("boom");

        Assert.ThrowsAsync<InvalidOperationException>(() => Create().RunAsync("q", _sessionId));

        var activity = activities.Stopped.Single(a => (string?)a.GetTagItem("gen_ai.conversation.id") == _sessionId);
        Assert.Multiple(() =>
        {
            Assert.That(activity.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(activity.StatusDescription, Is.EqualTo(nameof(InvalidOperationException)));
            Assert.That(activity.GetTagItem("dexter.message.id"), Is.Null);
        });
    }

    [Test]
    public async Task RunAsync_CountsRecordedTurns_AndTheirDuration_OnTheMeter()
    {
        _model.OnGetResponse = (messages, _, _) =>
        {
            _clock.Advance(TimeSpan.FromSeconds(2));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "a")));
        };
        using var turns = new InstrumentRecorder("dexter.sessions.turns");
        using var durations = new InstrumentRecorder("gen_ai.client.operation.duration");
        var agent = Create();

        await agent.RunAsync("q1", _sessionId);
        await agent.RunAsync("q2", _sessionId);
        _model.OnGetResponse = (_, _, _) => throw new InvalidOperationException("boom");
        Assert.ThrowsAsync<InvalidOperationException>(() => agent.RunAsync("q3", _sessionId));

        Assert.Multiple(() =>
        {
            Assert.That(turns.Sum, Is.EqualTo(2), "failed runs are not counted");
            Assert.That(durations.Measurements.Select(m => m.Value), Is.EqualTo(new[] { 2.0, 2.0 }));
        });
    }
}
