using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Summarization;

/// <summary>Summaries off the answer's path: the background worker, its bound, and its draining.</summary>
public sealed class SessionSummaryWorkerTests : AgentTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Test]
    public async Task RunAsync_SlowModelSummarizer_TurnIsRecordedAtOnceWithTheShortSummaryAndTheModelsFollows()
    {
        var summarizer = new GatedSummarizer();
        await using var worker = new SessionSummaryWorker();
        var agent = new DexterAgent(_model, new SessionTurnPipeline(_store, summarizer, null, Options.Create(new DexterSessionsOptions()), _clock, _logger, null, worker));

        var response = await agent.RunAsync("What is the halving?", _sessionId);
        var recorded = (await Stored()).Single();

        Assert.Multiple(() =>
        {
            Assert.That(summarizer.Started.Task.Wait(Wait), Is.True, "the model's summary runs in the background");
            Assert.That(response.Turn.Summary, Is.EqualTo(TruncatingSummarizer.Summarize("What is the halving?", "Answer to: What is the halving?")));
            Assert.That(recorded.Summary, Is.EqualTo(response.Turn.Summary), "recorded before the summarizer answered");
        });

        summarizer.Release.SetResult();
        await worker.WhenIdleAsync().WaitAsync(Wait);
        Assert.That((await Stored()).Single().Summary, Is.EqualTo("model summary of What is the halving?"));
    }

    [Test]
    public async Task RunAsync_NoWorker_ModelSummaryIsWaitedFor()
    {
        var summarizer = new GatedSummarizer();
        summarizer.Release.SetResult();
        var agent = Create(summarizer: summarizer);

        var response = await agent.RunAsync("What is the halving?", _sessionId);

        Assert.That(response.Turn.Summary, Is.EqualTo("model summary of What is the halving?"));
    }

    [Test]
    public async Task EnqueueAsync_QueueFull_WaitsForRoom()
    {
        await using var worker = new SessionSummaryWorker(Options.Create(new DexterSessionsOptions { SummaryQueueCapacity = 1 }));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = 0;
        async Task Blocked(CancellationToken token)
        {
            Interlocked.Increment(ref running);
            await release.Task.WaitAsync(token);
        }

        for (var i = 0; i < SessionSummaryWorker.MaxConcurrency; i++)
        {
            await worker.EnqueueAsync(Blocked);
        }

        while (Volatile.Read(ref running) < SessionSummaryWorker.MaxConcurrency)
        {
            await Task.Delay(5);
        }

        await worker.EnqueueAsync(Blocked); // fills the one place in the queue
        var waiting = worker.EnqueueAsync(Blocked).AsTask();
        await Task.Delay(100);

        Assert.Multiple(() =>
        {
            Assert.That(waiting.IsCompleted, Is.False, "no room: the caller waits");
            Assert.That(worker.Pending, Is.EqualTo(SessionSummaryWorker.MaxConcurrency + 2));
        });

        release.SetResult();
        await waiting.WaitAsync(Wait);
        await worker.WhenIdleAsync().WaitAsync(Wait);
        Assert.That(worker.Pending, Is.Zero);
    }

    [Test]
    public async Task EnqueueAsync_QueueFullAndCallerCancels_ThrowsAndCountsNothing()
    {
        await using var worker = new SessionSummaryWorker(Options.Create(new DexterSessionsOptions { SummaryQueueCapacity = 1 }));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < SessionSummaryWorker.MaxConcurrency + 1; i++)
        {
            await worker.EnqueueAsync(token => release.Task.WaitAsync(token));
        }

        while (worker.Pending < SessionSummaryWorker.MaxConcurrency + 1)
        {
            await Task.Delay(5);
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var pendingBefore = worker.Pending;
        Assert.That(async () => await worker.EnqueueAsync(_ => Task.CompletedTask, cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(worker.Pending, Is.EqualTo(pendingBefore));
        release.SetResult();
    }

    [Test]
    public async Task StopAsync_WorkQueued_IsDoneBeforeItReturns()
    {
        var worker = new SessionSummaryWorker();
        var done = 0;
        for (var i = 0; i < 20; i++)
        {
            await worker.EnqueueAsync(async token =>
            {
                await Task.Delay(10, token);
                Interlocked.Increment(ref done);
            });
        }

        await worker.StopAsync(CancellationToken.None);

        Assert.That(done, Is.EqualTo(20));
        await worker.DisposeAsync();
    }

    [Test]
    public async Task StopAsync_ShutdownTimeoutEnds_CancelsWhatIsStillRunningAndLogs()
    {
        var logger = new CollectingLogger<SessionSummaryWorker>();
        var worker = new SessionSummaryWorker(logger: logger);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await worker.EnqueueAsync(async token =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                cancelled.SetResult();
            }
        });

        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await worker.StopAsync(shutdown.Token);

        Assert.Multiple(() =>
        {
            Assert.That(cancelled.Task.IsCompleted, Is.True, "the running work saw the cancellation");
            Assert.That(logger.Entries.Select(e => e.EventId.Id), Does.Contain(1032));
        });
        await worker.DisposeAsync();
    }

    [Test]
    public async Task EnqueueAsync_AfterStop_RunsTheWorkOnTheCallersPath()
    {
        var worker = new SessionSummaryWorker();
        await worker.StopAsync(CancellationToken.None);
        var ran = false;

        await worker.EnqueueAsync(_ =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        Assert.That(ran, Is.True);
        await worker.DisposeAsync();
    }

    [Test]
    public async Task EnqueueAsync_WorkThrows_IsLoggedAndTheWorkerGoesOn()
    {
        var logger = new CollectingLogger<SessionSummaryWorker>();
        await using var worker = new SessionSummaryWorker(logger: logger);
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await worker.EnqueueAsync(_ => throw new InvalidOperationException("boom"));
        await worker.EnqueueAsync(_ =>
        {
            ran.SetResult();
            return Task.CompletedTask;
        });
        await worker.WhenIdleAsync().WaitAsync(Wait);

        Assert.Multiple(() =>
        {
            Assert.That(ran.Task.IsCompleted, Is.True);
            Assert.That(logger.Entries.Single(e => e.EventId.Id == 1034).Exception, Is.InstanceOf<InvalidOperationException>());
        });
    }

    [Test]
    public async Task Host_StoppedWithSummariesPending_DrainsThemBeforeItStops()
    {
        // One model: the first call answers the turn at once; the next (the turn's summary) waits for release.
        var model = new FakeChatClient();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        model.OnGetResponse = async (messages, _, token) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "The halving cuts the reward."));
            }

            await release.Task.WaitAsync(token);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "drained summary"));
        };
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddChatClient(model);
        builder.Services.AddDexterSessions(o => o.SummarizeWithLlm = true);
        using var host = builder.Build();
        await host.StartAsync();
        var agent = host.Services.GetRequiredService<DexterAgent>();
        var store = host.Services.GetRequiredService<ISessionStore>();
        var response = await agent.RunAsync("What is the halving?", _sessionId);

        var stopping = host.StopAsync();
        await Task.Delay(100);
        Assert.That(stopping.IsCompleted, Is.False, "the host waits for the pending summary");
        release.SetResult();
        await stopping.WaitAsync(Wait);

        var turn = (await store.GetAsync(_sessionId))!.GetAll().Single();
        Assert.Multiple(() =>
        {
            Assert.That(response.Turn.Summary, Does.Contain("→"), "recorded with the short summary");
            Assert.That(turn.Summary, Is.EqualTo("drained summary"));
        });
    }

    /// <summary>A summarizer that waits for <see cref="Release"/> and then answers "model summary of {query}".</summary>
    private sealed class GatedSummarizer : ISummarizer
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<string> SummarizeAsync(string query, string answer, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return "model summary of " + query;
        }
    }
}
