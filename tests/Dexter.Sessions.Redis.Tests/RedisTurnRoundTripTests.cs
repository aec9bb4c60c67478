using Dexter.Sessions.Redis.Tests.Infrastructure;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;

namespace Dexter.Sessions.Redis.Tests;

/// <summary>
/// What one turn costs on Redis, counted with StackExchange.Redis's profiler: the reads before the model go out together (one
/// round trip), and the answer's path after the model is one command (the append); the rolling summary is written in the background.
/// </summary>
[TestFixture]
public sealed class RedisTurnRoundTripTests
{
    private RedisServer _server = null!;
    private ConnectionMultiplexer _redis = null!;
    private ConnectionMultiplexer _admin = null!;
    private ProfilingSession? _profiling;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await RedisServer.StartAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint);
        _redis.RegisterProfiler(() => _profiling);
        _admin = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint + ",allowAdmin=true");
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _redis.DisposeAsync();
        await _admin.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<(RedisSessionStore Store, string SessionId)> SeededSessionAsync(int turns)
    {
        var store = new RedisSessionStore(_redis, Options.Create(RedisStores.Options(_server.Endpoint)));
        var sessionId = SessionId.New();
        for (var i = 1; i <= turns; i++)
        {
            await store.AppendAsync(sessionId, new Message { Query = "Question " + i, Answer = "Answer " + i, Summary = "summary " + i });
        }

        await store.TrySetSummaryAsync(sessionId, new SessionSummary("#1 summary 1", 1, DateTimeOffset.UtcNow), 0);
        return (store, sessionId);
    }

    private List<IProfiledCommand> Profile(Action start)
    {
        _profiling = new ProfilingSession();
        start();
        var commands = _profiling.FinishProfiling().OrderBy(c => c.CommandCreated).ToList();
        _profiling = null;
        return commands;
    }

    [Test]
    public async Task BeginTurnAsync_LongSession_ReadsTurnsAndRollingSummaryInOneRoundTrip()
    {
        var (store, sessionId) = await SeededSessionAsync(20);
        await using var _ = store;
        var pipeline = new SessionTurnPipeline(store, options: Options.Create(new DexterSessionsOptions { Selection = SessionSelection.Recent }));
        (await pipeline.BeginTurnAsync(sessionId, [new ChatMessage(ChatRole.User, "Warm up.")])).Dispose();
        SessionTurn? turn = null;

        // The server holds every client's commands for 300 ms: a read issued only after the other's reply would be created after it.
        await _admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "300");
        var commands = Profile(() => turn = pipeline.BeginTurnAsync(sessionId, [new ChatMessage(ChatRole.User, "And then?")]).GetAwaiter().GetResult());
        using var begun = turn!;

        var first = commands[0];
        var firstReply = first.CommandCreated + first.CreationToEnqueued + first.EnqueuedToSending + first.SentToResponse;
        Assert.Multiple(() =>
        {
            Assert.That(commands, Has.Count.EqualTo(2), string.Join(", ", commands.Select(c => c.Command)));
            Assert.That(commands[1].CommandCreated, Is.LessThan(firstReply), "the second read was sent before the first was answered");
            Assert.That(begun.RollingSummary!.Text, Is.EqualTo("#1 summary 1"));
            Assert.That(begun.Context, Has.Count.EqualTo(10));
        });
    }

    [Test]
    public async Task CompleteAsync_WithTheBackgroundWorker_TheAnswersPathIsOneCommand()
    {
        var (store, sessionId) = await SeededSessionAsync(20);
        await using var _ = store;
        await using var worker = new SessionSummaryWorker();
        var pipeline = new SessionTurnPipeline(store, null, null, null, null, null, null, worker);
        using var turn = await pipeline.BeginTurnAsync(sessionId, [new ChatMessage(ChatRole.User, "And then?")]);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await worker.EnqueueAsync(_ => gate.Task); // holds the background work back while the answer's path is counted
        for (var i = 1; i < SessionSummaryWorker.MaxConcurrency; i++)
        {
            await worker.EnqueueAsync(_ => gate.Task);
        }

        Message? recorded = null;
        var commands = Profile(() => recorded = turn.CompleteAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Then more."))).GetAwaiter().GetResult());
        gate.SetResult();
        await worker.WhenIdleAsync();
        var summary = await store.GetSummaryAsync(sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(commands, Has.Count.EqualTo(1), string.Join(", ", commands.Select(c => c.Command)));
            Assert.That(recorded!.Id, Is.EqualTo(21));
            Assert.That(summary!.ThroughTurnId, Is.EqualTo(11), "the rolling summary was folded afterwards, in the background");
        });
    }
}
