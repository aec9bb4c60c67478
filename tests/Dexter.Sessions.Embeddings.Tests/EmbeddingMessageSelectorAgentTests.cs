using Dexter.Sessions.Embeddings.Tests.TestSupport;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.Tests;

/// <summary>The selector inside the real <see cref="DexterAgent"/> with an <see cref="InMemorySessionStore"/>.</summary>
public class EmbeddingMessageSelectorAgentTests
{
    private const int MaxContext = 5;

    private FakeEmbeddingGenerator _generator = null!;
    private FakeChatClient _chatClient = null!;
    private InMemorySessionStore _store = null!;
    private CollectingLogger<EmbeddingMessageSelector> _logger = null!;
    private DexterAgent _agent = null!;

    [SetUp]
    public void SetUp()
    {
        _generator = new FakeEmbeddingGenerator();
        _chatClient = new FakeChatClient();
        _store = new InMemorySessionStore();
        _logger = new CollectingLogger<EmbeddingMessageSelector>();
        var selector = new EmbeddingMessageSelector(_generator, logger: _logger);
        _agent = new DexterAgent(_chatClient, _store, selector: selector, options: Options.Create(new DexterSessionsOptions { MaxContextMessages = MaxContext }));
    }

    [TearDown]
    public void TearDown()
    {
        _generator.Dispose();
        _chatClient.Dispose();
        _store.Dispose();
    }

    [TestCase(10)]
    [TestCase(500)]
    public async Task RunAsync_WarmHistory_CallsGeneratorExactlyTwicePerTurn(int historyLength)
    {
        var callsPerTurn = new List<int>();
        for (var i = 1; i <= historyLength + 3; i++)
        {
            var before = _generator.CallCount;
            await _agent.RunAsync($"Question {i} about topic {i % 7}", "warm");
            callsPerTurn.Add(_generator.CallCount - before);
        }

        var stored = await _store.GetRecentAsync("warm", historyLength + 3);
        Assert.Multiple(() =>
        {
            // Up to MaxContext past turns are all used without embedding the query: only the new turn is embedded.
            Assert.That(callsPerTurn.Take(MaxContext + 1), Is.All.EqualTo(1));
            Assert.That(callsPerTurn.Skip(MaxContext + 1), Is.All.EqualTo(2));
            Assert.That(_generator.Calls.Select(c => c.Count), Is.All.EqualTo(1));
            Assert.That(stored, Has.Count.EqualTo(historyLength + 3));
            Assert.That(stored.Select(t => t.Embedding.Length), Is.All.EqualTo(HashingEmbeddingGenerator.DefaultDimensions));
        });
    }

    [Test]
    public async Task RunStreamingAsync_WarmHistory_CallsGeneratorExactlyTwicePerTurn()
    {
        for (var i = 0; i < 12; i++)
        {
            await _agent.RunAsync("Question " + i, "stream");
        }

        _generator.ResetCalls();
        await foreach (var _ in _agent.RunStreamingAsync("One more question", "stream"))
        {
        }

        Assert.That(_generator.Calls, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task RunAsync_TurnsStoredBeforeEmbeddings_EmbedsThemInOneBatchOnceAndStoresThem()
    {
        for (var i = 0; i < 30; i++)
        {
            await _store.AppendAsync("legacy", new Message { Query = "Old question " + i, Answer = "Old answer " + i, Summary = "old turn " + i });
        }

        await _agent.RunAsync("A new question", "legacy");
        var firstCalls = _generator.Calls;
        _generator.ResetCalls();
        await _agent.RunAsync("Another new question", "legacy");

        var stored = await _store.GetRecentAsync("legacy", 100);
        Assert.Multiple(() =>
        {
            Assert.That(firstCalls.Select(c => c.Count), Is.EqualTo(new[] { 1, 30, 1 }));
            Assert.That(_generator.Calls.Select(c => c.Count), Is.EqualTo(new[] { 1, 1 }));
            Assert.That(stored.Select(t => t.Embedding.IsEmpty), Is.All.False);
        });
    }

    [Test]
    public async Task RunAsync_RelevantOldTurn_IsGivenToTheModel()
    {
        await _agent.RunAsync("How do I configure the Redis connection string for the cache?", "relevant");
        for (var i = 0; i < 10; i++)
        {
            await _agent.RunAsync($"What is the weather like in city number {i} tomorrow?", "relevant");
        }

        await _agent.RunAsync("Remind me about the Redis connection string configuration", "relevant");

        // The rolling summary (turns older than the recent window) comes first; the selected turns are the last system message.
        var context = _chatClient.Requests[^1].Last(m => m.Role == ChatRole.System).Text;
        Assert.That(context, Does.Contain("Redis connection string for the cache"));
    }

    [Test]
    public async Task RunAsync_GeneratorFails_AnswersWithLatestTurnsRecordsTurnAndLogsWarnings()
    {
        for (var i = 0; i < 8; i++)
        {
            await _agent.RunAsync("Question " + i, "failing");
        }

        _generator.OnGenerate = (_, _) => throw new HttpRequestException("The embedding service answered 503.");
        var response = await _agent.RunAsync("A question while embeddings are down", "failing");

        var stored = await _store.GetRecentAsync("failing", 100);
        Assert.Multiple(() =>
        {
            Assert.That(response.Turn.Id, Is.EqualTo(9));
            Assert.That(response.Context.Select(t => t.Id), Is.EqualTo(new[] { 4, 5, 6, 7, 8 }));
            Assert.That(stored, Has.Count.EqualTo(9));
            Assert.That(stored[^1].Embedding.IsEmpty, Is.True);
            Assert.That(_logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.EventId.Id), Is.EqualTo(new[] { 4000, 4002 }));
        });
    }

    [Test]
    public async Task RunAsync_TurnRecordedWithoutVector_IsEmbeddedWhenFirstNeeded()
    {
        _generator.OnGenerate = (_, _) => throw new HttpRequestException("down");
        await _agent.RunAsync("First question", "recover");
        _generator.OnGenerate = null;
        for (var i = 0; i < 6; i++)
        {
            await _agent.RunAsync("Question " + i, "recover");
        }

        var stored = await _store.GetRecentAsync("recover", 100);
        Assert.That(stored.Select(t => t.Embedding.IsEmpty), Is.All.False);
    }

    [Test]
    public async Task RunAsync_HistoryWithoutStore_UsesVectorsAttachedToTurns()
    {
        var history = new MessageHistory { MaxContextMessages = MaxContext }; // the history's own limit chooses how many turns
        for (var i = 0; i < 8; i++)
        {
            await _agent.RunAsync("Question " + i, history);
        }

        _generator.ResetCalls();
        await _agent.RunAsync("Last question", history);

        Assert.Multiple(() =>
        {
            Assert.That(_generator.Calls.Select(c => c.Count), Is.EqualTo(new[] { 1, 1 }));
            Assert.That(history.GetAll().Select(t => t.Embedding.IsEmpty), Is.All.False);
        });
    }
}
