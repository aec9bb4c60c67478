using Dexter.Sessions.Embeddings.Tests.TestSupport;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Dexter.Sessions.Embeddings.Tests;

public class EmbeddingMessageSelectorTests
{
    private const string Query = "the query";

    private FakeEmbeddingGenerator _generator = null!;
    private CollectingLogger<EmbeddingMessageSelector> _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _generator = new FakeEmbeddingGenerator();
        _logger = new CollectingLogger<EmbeddingMessageSelector>();
    }

    [TearDown]
    public void TearDown() => _generator.Dispose();

    [Test]
    public void Constructor_NullGenerator_ThrowsArgumentNullException()
    {
        Assert.That(() => new EmbeddingMessageSelector(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("generator"));
    }

    [Test]
    public void Constructor_InvalidOptions_ThrowsOptionsValidationExceptionNamingTheSetting()
    {
        var options = Options.Create(new EmbeddingSelectorOptions { MaxCandidates = 0 });

        Assert.That(
            () => new EmbeddingMessageSelector(_generator, options),
            Throws.TypeOf<OptionsValidationException>().With.Message.EqualTo("EmbeddingSelectorOptions.MaxCandidates must be at least 1; it is 0."));
    }

    [Test]
    public void GetCandidateCount_Default_ReturnsMaxCandidates()
    {
        var selector = new EmbeddingMessageSelector(_generator);

        Assert.That(selector.GetCandidateCount(10), Is.EqualTo(EmbeddingSelectorOptions.DefaultMaxCandidates));
    }

    [Test]
    public void GetCandidateCount_MaxMessagesAboveMaxCandidates_ReturnsMaxMessages()
    {
        var selector = new EmbeddingMessageSelector(_generator, Options.Create(new EmbeddingSelectorOptions { MaxCandidates = 5 }));

        Assert.That(selector.GetCandidateCount(20), Is.EqualTo(20));
    }

    [Test]
    public void SelectAsync_NullContext_ThrowsArgumentNullException()
    {
        var selector = new EmbeddingMessageSelector(_generator);

        Assert.That(async () => await selector.SelectAsync(null!), Throws.ArgumentNullException);
    }

    [Test]
    public async Task SelectAsync_AtMostMaxTurns_ReturnsAllTurnsWithoutCallingGenerator()
    {
        var turns = new[] { Turns.Create(1, "a"), Turns.Create(2, "b"), Turns.Create(3, "c") };

        var selected = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 3));

        Assert.Multiple(() =>
        {
            Assert.That(selected.Turns, Is.EqualTo(turns));
            Assert.That(_generator.CallCount, Is.Zero);
        });
    }

    [Test]
    public async Task SelectAsync_MoreTurnsThanMax_ReturnsBestScoredTurnsInChronologicalOrder()
    {
        // Scores 0.7 · cosine + 0.3 · i/5: t1 0.63, t3 0.785, t5 0.59, t6 0.545; t2 and t4 are below the threshold.
        var turns = WithCosines(0.9f, 0.1f, 0.95f, 0.2f, 0.5f, 0.35f);

        var selected = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 2));

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selected), Is.EqualTo(new[] { 1, 3 }));
            Assert.That(_generator.Calls, Has.Count.EqualTo(1));
            Assert.That(_generator.Calls[0], Is.EqualTo(new[] { Query }));
        });
    }

    [Test]
    public async Task SelectAsync_TurnsBelowThreshold_AreNotSelectedEvenWithRoomLeft()
    {
        var turns = WithCosines(0.9f, 0.5f, 0.29f, 0.1f, 0f);

        var selected = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 3));

        Assert.That(Ids(selected), Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public async Task SelectAsync_TurnExactlyAtThreshold_IsSelected()
    {
        var turns = WithCosines(0f, 0.3f, 0f, 0f);

        var selected = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 2));

        Assert.That(Ids(selected), Is.EqualTo(new[] { 2 }));
    }

    [Test]
    public async Task SelectAsync_NoTurnReachesThreshold_ReturnsLatestTurns()
    {
        var turns = WithCosines(0.1f, 0.2f, 0.1f, 0.25f, 0f);

        var selected = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 2));

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selected), Is.EqualTo(new[] { 4, 5 }));
            Assert.That(_logger.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty);
        });
    }

    [Test]
    public async Task SelectAsync_CustomThreshold_KeepsOnlyTurnsReachingIt()
    {
        var turns = WithCosines(0.9f, 0.5f, 0.96f, 0.7f, 0.95f);

        var selected = await CreateSelector(o => o.SimilarityThreshold = 0.95).SelectAsync(new MessageSelectionContext(Query, turns, 3));

        Assert.That(Ids(selected), Is.EqualTo(new[] { 3, 5 }));
    }

    [Test]
    public async Task SelectAsync_EqualSimilarity_DefaultWeightsPreferRecentTurns()
    {
        var turns = WithCosines(0.8f, 0.8f, 0.8f, 0.8f, 0.8f, 0.8f);

        var selected = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 3));

        Assert.That(Ids(selected), Is.EqualTo(new[] { 4, 5, 6 }));
    }

    [Test]
    public async Task SelectAsync_RecencyWeightZero_RanksBySimilarityOnly()
    {
        var turns = WithCosines(0.9f, 0.85f, 0.4f, 0.1f, 0.35f);

        var selected = await CreateSelector(o => (o.SimilarityWeight, o.RecencyWeight) = (1, 0)).SelectAsync(new MessageSelectionContext(Query, turns, 2));

        Assert.That(Ids(selected), Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public async Task SelectAsync_SimilarityWeightZero_RanksPassingTurnsByRecencyOnly()
    {
        var turns = WithCosines(0.9f, 0.85f, 0.4f, 0.1f, 0.35f);

        var selected = await CreateSelector(o => (o.SimilarityWeight, o.RecencyWeight) = (0, 1)).SelectAsync(new MessageSelectionContext(Query, turns, 2));

        Assert.That(Ids(selected), Is.EqualTo(new[] { 3, 5 }));
    }

    [Test]
    public async Task SelectAsync_MoreTurnsThanMaxCandidates_ScoresOnlyTheLatest()
    {
        var turns = WithCosines(1f, 0.5f, 0.5f, 0.5f, 0.5f);

        var selected = await CreateSelector(o => o.MaxCandidates = 3).SelectAsync(new MessageSelectionContext(Query, turns, 2));

        Assert.That(Ids(selected), Is.EqualTo(new[] { 4, 5 }));
    }

    [Test]
    public async Task SelectAsync_TurnsWithoutVectors_EmbedsThemInOneCallAndReturnsThemToKeep()
    {
        var summaries = new[] { "alpha", "beta", "gamma", "delta", "epsilon" };
        var turns = summaries.Select((summary, i) => new Message { Id = i + 1, Query = "q", Answer = "a", Summary = summary }).ToArray();
        _generator.OnEmbed = text => text == "gamma" ? Turns.Axis(0) : text == Query ? Turns.Axis(0) : Turns.Axis(1);

        var selection = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 2) { SessionId = "s1" });

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selection), Is.EqualTo(new[] { 3 }));
            Assert.That(_generator.Calls, Has.Count.EqualTo(2));
            Assert.That(_generator.Calls[1], Is.EqualTo(summaries));
            Assert.That(selection.UpdatedTurns.Select(t => t.Id), Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
            Assert.That(selection.UpdatedTurns.Select(t => t.Embedding.Length), Is.All.EqualTo(4));
            Assert.That(selection.UpdatedTurns[2].Embedding.ToArray(), Is.EqualTo(Turns.Axis(0)));
        });
    }

    [Test]
    public async Task SelectAsync_TurnsThatHaveVectors_EmbedsOnlyTheQuery_AndReturnsNothingToKeep()
    {
        var turns = Enumerable.Range(1, 20).Select(i => Turns.Create(i, "turn " + i, Turns.Axis(i % 4))).ToArray();
        _generator.OnEmbed = _ => Turns.Axis(0);

        var selection = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 5));

        Assert.Multiple(() =>
        {
            Assert.That(_generator.Calls, Is.EqualTo(new[] { new[] { Query } }));
            Assert.That(selection.UpdatedTurns, Is.Empty);
        });
    }

    [Test]
    public async Task SelectAsync_SomeTurnsWithoutVectors_EmbedsOnlyThose()
    {
        var turns = new[]
        {
            Turns.Create(1, "one", Turns.Axis(0)),
            Turns.Create(2, "two"),
            Turns.Create(3, "three", Turns.Axis(1)),
            Turns.Create(4, "four"),
        };
        _generator.OnEmbed = _ => Turns.Axis(0);

        await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 2));

        Assert.That(_generator.Calls[1], Is.EqualTo(new[] { "two", "four" }));
    }

    [Test]
    public async Task SelectAsync_VectorOfOtherDimension_IsEmbeddedAgainAndReturnedToKeep()
    {
        var turns = new[]
        {
            Turns.Create(1, "old model", [1f, 0f, 0f]),
            Turns.Create(2, "new model", Turns.Axis(0)),
            Turns.Create(3, "other", Turns.Axis(2)),
        };
        _generator.OnEmbed = _ => Turns.Axis(0);

        var selection = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 2) { SessionId = "s1" });

        Assert.Multiple(() =>
        {
            Assert.That(_generator.Calls[1], Is.EqualTo(new[] { "old model" }));
            Assert.That(selection.UpdatedTurns, Has.Count.EqualTo(1));
            Assert.That(selection.UpdatedTurns[0].Id, Is.EqualTo(1));
            Assert.That(selection.UpdatedTurns[0].Embedding.ToArray(), Is.EqualTo(Turns.Axis(0)));
            Assert.That(Ids(selection), Is.EqualTo(new[] { 1, 2 }));
        });
    }

    [Test]
    public async Task SelectAsync_GeneratorThrows_ReturnsLatestTurnsAndLogsWarningWithCause()
    {
        var failure = new InvalidOperationException("Embedding service is down.");
        _generator.OnGenerate = (_, _) => Task.FromException<GeneratedEmbeddings<Embedding<float>>>(failure);
        var turns = WithCosines(0.9f, 0.9f, 0.1f, 0.1f);

        var selected = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 2));

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selected), Is.EqualTo(new[] { 3, 4 }));
            var warning = _logger.Entries.Single(e => e.Level == LogLevel.Warning);
            Assert.That(warning.EventId.Id, Is.EqualTo(4000));
            Assert.That(warning.Exception, Is.SameAs(failure));
            Assert.That(warning.Message, Does.Contain("latest 2 of 4 turns"));
        });
    }

    [Test]
    public async Task SelectAsync_GeneratorTimesOut_ReturnsLatestTurnsAndLogsWarning()
    {
        var clock = new FakeTimeProvider();
        var never = new TaskCompletionSource<GeneratedEmbeddings<Embedding<float>>>();
        _generator.OnGenerate = (_, _) => never.Task;
        var selector = CreateSelector(o => o.EmbeddingTimeout = TimeSpan.FromSeconds(2), clock);
        var turns = WithCosines(0.9f, 0.9f, 0.1f, 0.1f);

        var pending = selector.SelectAsync(new MessageSelectionContext(Query, turns, 2)).AsTask();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(pending.IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromSeconds(1));
        var selected = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selected), Is.EqualTo(new[] { 3, 4 }));
            var warning = _logger.Entries.Single(e => e.Level == LogLevel.Warning);
            Assert.That(warning.EventId.Id, Is.EqualTo(4001));
            Assert.That(warning.Message, Does.Contain("2000 ms"));
            Assert.That(warning.Exception, Is.TypeOf<TimeoutException>());
            Assert.That(warning.Exception!.Message, Is.EqualTo(
                "The embedding generator did not answer within 2 s; raise EmbeddingSelectorOptions.EmbeddingTimeout or check the embedding service."));
        });
    }

    [Test]
    public async Task SelectAsync_GeneratorReturnsTooFewEmbeddings_ReturnsLatestTurnsAndLogsWarning()
    {
        _generator.OnGenerate = (_, _) => Task.FromResult(new GeneratedEmbeddings<Embedding<float>>());
        var turns = WithCosines(0.9f, 0.9f, 0.1f);

        var selected = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 1));

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selected), Is.EqualTo(new[] { 3 }));
            Assert.That(_logger.Entries.Single(e => e.Level == LogLevel.Warning).Exception!.Message,
                Is.EqualTo("The embedding generator returned 0 embeddings for 1 texts; it must return one per text, in order."));
        });
    }

    [Test]
    public async Task SelectAsync_GeneratorReturnsEmptyQueryVector_ReturnsLatestTurnsAndLogsWarning()
    {
        _generator.OnEmbed = _ => [];
        var turns = WithCosines(0.9f, 0.9f, 0.1f);

        var selected = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 1));

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selected), Is.EqualTo(new[] { 3 }));
            Assert.That(_logger.Entries.Single(e => e.Level == LogLevel.Warning).EventId.Id, Is.EqualTo(4000));
        });
    }

    [Test]
    public void SelectAsync_CallerCancels_ThrowsOperationCanceledException()
    {
        _generator.OnGenerate = (_, token) => Task.Delay(Timeout.Infinite, token).ContinueWith(_ => new GeneratedEmbeddings<Embedding<float>>(), token);
        using var cancellation = new CancellationTokenSource();
        var pending = CreateSelector().SelectAsync(new MessageSelectionContext(Query, WithCosines(0.9f, 0.9f, 0.1f), 1), cancellation.Token).AsTask();

        cancellation.Cancel();

        Assert.Multiple(() =>
        {
            Assert.That(async () => await pending, Throws.InstanceOf<OperationCanceledException>());
            Assert.That(_logger.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty);
        });
    }

    [Test]
    public async Task PrepareTurnAsync_NewTurn_AttachesEmbeddingOfRepresentativeText()
    {
        var turn = new Message { Query = "q", Answer = "a", Summary = "the summary" };
        _generator.OnEmbed = text => text == "the summary" ? Turns.Axis(2) : Turns.Axis(1);

        var prepared = await CreateSelector().PrepareTurnAsync(turn);

        Assert.Multiple(() =>
        {
            Assert.That(prepared.Embedding.ToArray(), Is.EqualTo(Turns.Axis(2)));
            Assert.That(prepared with { Embedding = default }, Is.EqualTo(turn));
            Assert.That(_generator.Calls, Is.EqualTo(new[] { new[] { "the summary" } }));
        });
    }

    [Test]
    public async Task PrepareTurnAsync_TurnWithoutSummary_EmbedsQueryAndAnswer()
    {
        var turn = new Message { Query = "q", Answer = "a" };

        await CreateSelector().PrepareTurnAsync(turn);

        Assert.That(_generator.Calls[0], Is.EqualTo(new[] { "q\na" }));
    }

    [Test]
    public async Task PrepareTurnAsync_TurnAlreadyEmbedded_ReturnsItWithoutCallingGenerator()
    {
        var turn = Turns.Create(0, "s", Turns.Axis(1));

        var prepared = await CreateSelector().PrepareTurnAsync(turn);

        Assert.Multiple(() =>
        {
            Assert.That(prepared, Is.SameAs(turn));
            Assert.That(_generator.CallCount, Is.Zero);
        });
    }

    [Test]
    public async Task PrepareTurnAsync_GeneratorThrows_ReturnsTurnUnchangedAndLogsWarning()
    {
        _generator.OnGenerate = (_, _) => throw new HttpRequestException("503");
        var turn = Turns.Create(0, "s");

        var prepared = await CreateSelector().PrepareTurnAsync(turn);

        Assert.Multiple(() =>
        {
            Assert.That(prepared, Is.SameAs(turn));
            var warning = _logger.Entries.Single(e => e.Level == LogLevel.Warning);
            Assert.That(warning.EventId.Id, Is.EqualTo(4002));
            Assert.That(warning.Exception, Is.TypeOf<HttpRequestException>());
        });
    }

    [Test]
    public async Task PrepareTurnAsync_GeneratorTimesOut_ReturnsTurnUnchangedAndLogsWarning()
    {
        var clock = new FakeTimeProvider();
        _generator.OnGenerate = (_, _) => new TaskCompletionSource<GeneratedEmbeddings<Embedding<float>>>().Task;
        var turn = Turns.Create(0, "s");

        var pending = CreateSelector(configure: null, clock).PrepareTurnAsync(turn).AsTask();
        clock.Advance(TimeSpan.FromSeconds(10));
        var prepared = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(prepared, Is.SameAs(turn));
            Assert.That(_logger.Entries.Single(e => e.Level == LogLevel.Warning).EventId.Id, Is.EqualTo(4003));
        });
    }

    [Test]
    public async Task SelectAsync_InfiniteTimeout_WaitsForGenerator()
    {
        var clock = new FakeTimeProvider();
        var answer = new TaskCompletionSource<GeneratedEmbeddings<Embedding<float>>>();
        _generator.OnGenerate = (_, _) => answer.Task;
        var turns = WithCosines(0.9f, 0.1f, 0.1f);

        var pending = CreateSelector(o => o.EmbeddingTimeout = Timeout.InfiniteTimeSpan, clock).SelectAsync(new MessageSelectionContext(Query, turns, 1)).AsTask();
        clock.Advance(TimeSpan.FromDays(1));
        Assert.That(pending.IsCompleted, Is.False);
        answer.SetResult([new Embedding<float>(Turns.Axis(0))]);
        var selected = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(Ids(selected), Is.EqualTo(new[] { 1 }));
    }

    private EmbeddingMessageSelector CreateSelector(Action<EmbeddingSelectorOptions>? configure = null, TimeProvider? timeProvider = null)
    {
        var options = new EmbeddingSelectorOptions();
        configure?.Invoke(options);
        return new EmbeddingMessageSelector(_generator, Options.Create(options), timeProvider, _logger);
    }

    /// <summary>Turns 1..n whose vectors have the given cosines to the query's vector (axis 0).</summary>
    private Message[] WithCosines(params float[] cosines)
    {
        _generator.OnEmbed ??= _ => Turns.Axis(0);
        return cosines.Select((cosine, i) => Turns.Create(i + 1, "turn " + (i + 1), Turns.AtCosine(cosine))).ToArray();
    }

    private static int[] Ids(IEnumerable<Message> turns) => turns.Select(t => t.Id).ToArray();

    private static int[] Ids(MessageSelection selection) => Ids(selection.Turns);
}
