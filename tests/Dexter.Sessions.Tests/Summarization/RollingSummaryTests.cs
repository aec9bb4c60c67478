using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Summarization;

/// <summary>The rolling summary: turns that leave the recent window are folded into one summary of the session, given to the model first.</summary>
public sealed class RollingSummaryTests : AgentTestBase
{
    private DexterAgent CreateWith(DexterSessionsOptions options, IRollingSummarizer? rolling = null, ISessionStore? store = null, SessionSummaryWorker? worker = null, ISummarizer? summarizer = null) =>
        new(_model, new SessionTurnPipeline(store ?? _store, summarizer, null, Options.Create(options), _clock, _logger, rolling, worker));

    private async Task<SessionSummary?> Summary() => await _store.GetSummaryAsync(_sessionId);

    [Test]
    public async Task RunAsync_TurnsLeaveTheWindow_AreFoldedOneByOneAndTheSummaryCoversUpToTheWindow()
    {
        var agent = CreateWith(new DexterSessionsOptions { MaxContextMessages = 3 });
        var covered = new List<int>();

        for (var i = 1; i <= 8; i++)
        {
            await agent.RunAsync("Question " + i, _sessionId);
            covered.Add((await Summary())?.ThroughTurnId ?? 0);
        }

        var summary = await Summary();
        Assert.Multiple(() =>
        {
            Assert.That(covered, Is.EqualTo(new[] { 0, 0, 0, 1, 2, 3, 4, 5 }), "turn n leaves the 3-turn window when turn n + 3 is recorded");
            Assert.That(summary!.Text.Split('\n'), Has.Length.EqualTo(5));
            Assert.That(summary.Text, Does.StartWith("#1 Question 1 → Answer to: Question 1"));
            Assert.That(summary.UpdatedAt, Is.EqualTo(_clock.GetUtcNow()));
        });
    }

    [Test]
    public async Task Fold_SameConversationIngestedThreeWays_GivesTheSameSummary()
    {
        // Turns of varied lengths, so that the 150-token summary shortens and drops lines as it goes.
        static string Query(int i) => $"Note {i}: " + string.Join(' ', Enumerable.Repeat("detail" + (i % 7), 1 + (i * 7 % 37)));
        static Message Turn(int i) => new() { Query = Query(i), Answer = "Answer to: " + Query(i) }; // what the fake model answers

        var options = new DexterSessionsOptions { MaxContextMessages = 4, RollingSummaryMaxTokens = 150, BackgroundSummaries = false };

        // 1. One turn at a time: each turn folds the one that left the window.
        var inline = new InMemorySessionStore();
        var inlinePipeline = new SessionTurnPipeline(inline, options: Options.Create(options), timeProvider: _clock);
        for (var i = 1; i <= 60; i++)
        {
            await inline.AppendAsync("s", Turn(i));
            await inlinePipeline.Recorder.Folder.FoldAsync("s", i, CancellationToken.None);
        }

        // 2. Behind: 60 turns are appended, then a single fold catches up with all of them at once.
        var behind = new InMemorySessionStore();
        for (var i = 1; i <= 60; i++)
        {
            await behind.AppendAsync("s", Turn(i));
        }

        await new SessionTurnPipeline(behind, options: Options.Create(options), timeProvider: _clock).Recorder.Folder.FoldAsync("s", 60, CancellationToken.None);

        // 3. Through the agent with the background worker, turns arriving faster than it folds.
        var worked = new InMemorySessionStore();
        await using (var worker = new SessionSummaryWorker(Options.Create(options)))
        {
            var agent = new DexterAgent(
                _model,
                new SessionTurnPipeline(worked, options: Options.Create(new DexterSessionsOptions { MaxContextMessages = 4, RollingSummaryMaxTokens = 150 }), timeProvider: _clock, worker: worker));
            for (var i = 1; i <= 60; i++)
            {
                await agent.RunAsync(Query(i), "s");
            }

            await worker.WhenIdleAsync();
        }

        var one = await inline.GetSummaryAsync("s");
        var two = await behind.GetSummaryAsync("s");
        var three = await worked.GetSummaryAsync("s");
        Assert.Multiple(() =>
        {
            Assert.That(one!.ThroughTurnId, Is.EqualTo(56));
            Assert.That(one.Text, Does.Not.Contain("#1 "), "the budget made it drop the oldest lines");
            Assert.That(two!.Text, Is.EqualTo(one.Text));
            Assert.That(two.ThroughTurnId, Is.EqualTo(one.ThroughTurnId));
            Assert.That(three!.Text, Is.EqualTo(one.Text));
        });
    }

    [Test]
    public async Task RunAsync_ModelSummariesInTheBackgroundTakingVaryingTimes_TheRollingSummaryIsTheSameEveryRun_AndHoldsThem()
    {
        async Task<string> IngestAsync(int seed)
        {
            var random = new Random(seed);
            var store = new InMemorySessionStore();
            var summarizer = new CallbackSummarizer(async (query, _, token) =>
            {
                int delay;
                lock (random)
                {
                    delay = random.Next(0, 25);
                }

                await Task.Delay(delay, token);
                return "S: " + query;
            });
            await using var worker = new SessionSummaryWorker(Options.Create(new DexterSessionsOptions()));
            var agent = new DexterAgent(
                _model,
                new SessionTurnPipeline(store, summarizer, RecentMessageSelector.Instance, Options.Create(new DexterSessionsOptions { MaxContextMessages = 3 }), _clock, worker: worker));
            for (var i = 1; i <= 30; i++)
            {
                await agent.RunAsync("Question " + i, "s");
            }

            await worker.WhenIdleAsync();
            return (await store.GetSummaryAsync("s"))!.Text;
        }

        var runs = new List<string>();
        for (var seed = 1; seed <= 4; seed++)
        {
            runs.Add(await IngestAsync(seed));
        }

        Assert.Multiple(() =>
        {
            Assert.That(runs.Distinct().Count(), Is.EqualTo(1), string.Join("\n---\n", runs.Distinct()));
            Assert.That(runs[0].Split('\n'), Has.Length.EqualTo(27));
            Assert.That(runs[0].Split('\n'), Is.All.Match(@"^#\d+ S: Question \d+$"), "every line holds the model's summary, never the short one");
        });
    }

    [Test]
    public async Task RunAsync_SessionHasARollingSummary_ItGoesFirstInTheContextAfterTheInstructions()
    {
        var agent = CreateWith(new DexterSessionsOptions { MaxContextMessages = 2, Instructions = "Be brief.", Selection = SessionSelection.Recent });
        for (var i = 1; i <= 5; i++)
        {
            await agent.RunAsync("My locker code is " + (1000 + i), _sessionId);
        }

        var response = await agent.RunAsync("What was my first locker code?", _sessionId);
        var request = _model.Requests[^1];

        Assert.Multiple(() =>
        {
            Assert.That(request[0].Text, Is.EqualTo("Be brief."));
            Assert.That(request[1].Role, Is.EqualTo(ChatRole.System));
            Assert.That(request[1].Text, Does.StartWith(SessionContextBuilder.RollingSummaryHeader(3)));
            Assert.That(request[1].Text, Does.Contain("#1 My locker code is 1001"));
            Assert.That(response.Context.Select(t => t.Id), Is.EqualTo(new[] { 4, 5 }));
        });
    }

    [Test]
    public async Task RunAsync_EachUpdate_GetsThePreviousSummaryAndOnlyTheTurnsThatLeft()
    {
        var rolling = new RecordingRollingSummarizer();
        var agent = CreateWith(new DexterSessionsOptions { MaxContextMessages = 2 }, rolling);

        for (var i = 1; i <= 6; i++)
        {
            await agent.RunAsync("Question " + i, _sessionId);
        }

        Assert.Multiple(() =>
        {
            Assert.That(rolling.Calls.Select(c => string.Join(",", c.Turns)), Is.EqualTo(new[] { "1", "2", "3", "4" }));
            Assert.That(rolling.Calls.Select(c => c.Previous), Is.EqualTo(new string?[] { null, "[1]", "[1][2]", "[1][2][3]" }));
        });
    }

    [Test]
    public async Task RunAsync_SummarizerFails_KeepsThePreviousSummaryWarnsAndFoldsBothTurnsNextTime()
    {
        var rolling = new RecordingRollingSummarizer { FailOnCall = 2 };
        var agent = CreateWith(new DexterSessionsOptions { MaxContextMessages = 2 }, rolling);
        for (var i = 1; i <= 4; i++)
        {
            await agent.RunAsync("Question " + i, _sessionId);
        }

        var afterFailure = await Summary();
        await agent.RunAsync("Question 5", _sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(afterFailure!.ThroughTurnId, Is.EqualTo(1), "the failed update left the summary as it was");
            Assert.That(LoggedEvents(), Does.Contain(1017));
            Assert.That(rolling.Calls[^1].Turns, Is.EqualTo(new[] { 2, 3 }), "the next update folds the turn the failed one missed");
        });
        Assert.That((await Summary())!.Text, Is.EqualTo("[1][2][3]"));
    }

    [Test]
    public async Task RunAsync_CrashBetweenFoldingAndWriting_LosesNoTurn()
    {
        var store = new SummaryWriteFailsOnce(_store);
        var agent = CreateWith(new DexterSessionsOptions { MaxContextMessages = 2 }, new RecordingRollingSummarizer(), store);
        for (var i = 1; i <= 4; i++)
        {
            await agent.RunAsync("Question " + i, _sessionId); // the write for turn 4 (folding turn 2) fails
        }

        Assert.That((await Summary())!.ThroughTurnId, Is.EqualTo(1));
        await agent.RunAsync("Question 5", _sessionId);
        var metadata = await _store.GetMetadataAsync(_sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(LoggedEvents(), Does.Contain(1021), "the failed write is logged; the turn itself was recorded");
            Assert.That(metadata!.TurnCount, Is.EqualTo(5));
        });
        Assert.That((await Summary())!.Text, Is.EqualTo("[1][2][3]"));
    }

    [Test]
    public async Task FoldAsync_ManyConcurrentTurns_EveryFoldedTurnIsInTheSummaryExactlyOnce()
    {
        var pipeline = new SessionTurnPipeline(_store, null, null, Options.Create(new DexterSessionsOptions { MaxContextMessages = 3, RollingSummaryMaxTokens = 20_000 }), _clock, _logger);
        var agent = new DexterAgent(_model, pipeline);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await agent.RunAsync($"Writer {writer} question {i}", _sessionId);
            }
        })));
        await pipeline.Recorder.Folder.FoldAsync(_sessionId, 80, CancellationToken.None);

        var summary = await Summary();
        var ids = summary!.Text.Split('\n').Select(line => int.Parse(line[1..line.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(summary.ThroughTurnId, Is.EqualTo(77));
            Assert.That(ids, Is.EqualTo(Enumerable.Range(1, 77)), "every turn that left the window, once, in order");
        });
    }

    [Test]
    public async Task CompleteAsync_CallerCancelsDuringTheFold_TurnIsRecordedAndTheNextTurnFolds()
    {
        using var cancel = new CancellationTokenSource();
        var rolling = new CancellingRollingSummarizer(cancel);
        var pipeline = new SessionTurnPipeline(_store, null, null, Options.Create(new DexterSessionsOptions { MaxContextMessages = 1 }), _clock, _logger, rolling);
        var agent = new DexterAgent(_model, pipeline);
        await agent.RunAsync("Question 1", _sessionId);

        var response = await agent.RunAsync("Question 2", _sessionId, cancel.Token);
        var afterCancel = await Summary();
        await agent.RunAsync("Question 3", _sessionId);

        Assert.Multiple(async () =>
        {
            Assert.That(response.Turn.Id, Is.EqualTo(2), "the cancelled fold did not undo the recorded turn");
            Assert.That(afterCancel, Is.Null);
            Assert.That(LoggedEvents(), Does.Contain(1024).And.Not.Contain(1021));
            Assert.That((await Summary())!.ThroughTurnId, Is.EqualTo(2), "the next turn folded turns 1 and 2");
        });
    }

    [Test]
    public async Task RunAsync_RollingSummaryOff_NothingIsFoldedOrRead()
    {
        var rolling = new RecordingRollingSummarizer();
        var agent = CreateWith(new DexterSessionsOptions { MaxContextMessages = 2, RollingSummary = false }, rolling);
        await _store.AppendAsync(_sessionId, new Message { Query = "old", Answer = "old" });
        await _store.TrySetSummaryAsync(_sessionId, new SessionSummary("kept from before", 1, Start), 0);

        for (var i = 1; i <= 4; i++)
        {
            await agent.RunAsync("Question " + i, _sessionId);
        }

        Assert.Multiple(() =>
        {
            Assert.That(rolling.Calls, Is.Empty);
            Assert.That(_model.Requests[^1].Any(m => m.Text.Contains("kept from before", StringComparison.Ordinal)), Is.False);
        });
    }

    [Test]
    public async Task RunAsync_HugeRollingSummary_TakesAtMostHalfOfTheBudget()
    {
        await _store.AppendAsync(_sessionId, new Message { Query = "q", Answer = "a" });
        var huge = string.Join(' ', Enumerable.Repeat("satoshi", 3_000));
        await _store.TrySetSummaryAsync(_sessionId, new SessionSummary(huge, 1, Start), 0);
        var agent = CreateWith(new DexterSessionsOptions { MaxContextTokens = 400 });

        await agent.RunAsync("next", _sessionId);
        var request = _model.Requests[^1];

        Assert.Multiple(() =>
        {
            Assert.That(ContextBudget.CountTokens(ContextBudget.DefaultTokenizer, request[0]), Is.LessThanOrEqualTo(200));
            Assert.That(request[0].Text, Does.EndWith(ContextBudget.CutMarker));
            Assert.That(ContextBudget.CountTokens(ContextBudget.DefaultTokenizer, request.Take(request.Count - 1)), Is.LessThanOrEqualTo(400));
        });
    }

    [Test]
    public async Task RunAsync_ThousandTurnsWithHugeOnes_ContextNeverExceedsTheBudget()
    {
        var agent = CreateWith(new DexterSessionsOptions { MaxContextTokens = 1_000, MaxContextMessages = 10, Instructions = "Answer from the conversation." });
        var huge = string.Join(' ', Enumerable.Repeat("Every block header commits to the previous one.", 150));
        var over = new List<int>();
        _model.OnGetResponse = (messages, _, _) =>
        {
            var context = ContextBudget.CountTokens(ContextBudget.DefaultTokenizer, messages.Take(messages.Count - 1));
            if (context > 1_000)
            {
                over.Add(context);
            }

            var user = messages[^1].Text;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, user.EndsWith('7') ? huge : "Noted: " + user)));
        };

        for (var i = 1; i <= 300; i++)
        {
            await agent.RunAsync((i % 50 == 0 ? huge : "Fact number " + i) + " " + i, _sessionId);
        }

        var summary = await Summary();
        Assert.Multiple(() =>
        {
            Assert.That(over, Is.Empty, "the context stayed within 1,000 tokens on every turn");
            Assert.That(summary!.ThroughTurnId, Is.EqualTo(290));
        });
    }

    /// <summary>Folds by appending "[id]" per turn to the previous text; records each call; can fail one call.</summary>
    private sealed class RecordingRollingSummarizer : IRollingSummarizer
    {
        public List<(string? Previous, int[] Turns)> Calls { get; } = [];

        public int FailOnCall { get; init; }

        public ValueTask<string> FoldAsync(string? previousSummary, IReadOnlyList<Message> turns, int maxTokens, CancellationToken cancellationToken = default)
        {
            lock (Calls)
            {
                Calls.Add((previousSummary, turns.Select(t => t.Id).ToArray()));
                if (Calls.Count == FailOnCall)
                {
                    throw new InvalidOperationException("The summary model is down.");
                }
            }

            return new(previousSummary + string.Concat(turns.Select(t => $"[{t.Id}]")));
        }
    }

    /// <summary>Cancels the caller's token on its first fold (as a caller that gives up just after the answer), then folds with extractive lines.</summary>
    private sealed class CancellingRollingSummarizer(CancellationTokenSource cancel) : IRollingSummarizer
    {
        private int _calls;

        public ValueTask<string> FoldAsync(string? previousSummary, IReadOnlyList<Message> turns, int maxTokens, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                cancel.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }

            return new ExtractiveRollingSummarizer().FoldAsync(previousSummary, turns, maxTokens, cancellationToken);
        }
    }

    /// <summary>A store whose first summary write after the first one fails, as a process that dies between folding and writing.</summary>
    private sealed class SummaryWriteFailsOnce(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        private int _writes;

        public override Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _writes) == 2
                ? throw new IOException("The connection was reset.")
                : base.TrySetSummaryAsync(sessionId, summary, expectedThroughTurnId, cancellationToken);
    }
}
