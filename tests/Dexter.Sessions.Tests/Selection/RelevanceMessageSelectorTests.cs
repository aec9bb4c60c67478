using System.Diagnostics;
using System.Numerics.Tensors;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Selection;

public sealed class RelevanceMessageSelectorTests
{
    private const string SessionA = "session-a";
    private const string Answer = "Sure, happy to help with that.";

    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    // No topic word of KeywordEmbeddingGenerator, and no word of the queries below.
    private static readonly string[] Chatter =
    [
        "How should I format this spreadsheet?",
        "Can you suggest a good film for tonight?",
        "Tell me a joke about programmers.",
        "Any tips for sleeping better?",
        "Which book should I read next?",
    ];

    private static Message[] Turns(int count, params (int Id, string Query)[] overrides) => TurnsAt(Start, count, overrides);

    private static Message[] TurnsAt(DateTimeOffset start, int count, params (int Id, string Query)[] overrides) =>
        Enumerable.Range(1, count).Select(i => new Message
        {
            Id = i,
            Query = overrides.FirstOrDefault(o => o.Id == i).Query ?? Chatter[i % Chatter.Length],
            Answer = Answer,
            CreatedAt = start.AddMinutes(i),
        }).ToArray();

    private static RelevanceMessageSelector Selector(
        RelevanceSelectorOptions? options = null, KeywordEmbeddingGenerator? generator = null, ILogger<RelevanceMessageSelector>? logger = null) =>
        new(generator, Options.Create(options ?? new RelevanceSelectorOptions()), logger: logger);

    private static ValueTask<MessageSelection> Select(
        RelevanceMessageSelector selector, string query, IReadOnlyList<Message> turns, string? sessionId = SessionA, int maxMessages = MessageSelectionContext.WholeSession, CancellationToken cancellationToken = default) =>
        selector.SelectAsync(new MessageSelectionContext(query, turns, maxMessages) { SessionId = sessionId }, cancellationToken);

    private static int[] Ids(IEnumerable<Message> turns) => turns.Select(t => t.Id).ToArray();

    private static float[] Normalized(float[] vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        return vector.Select(v => v / norm).ToArray();
    }

    private static float[] Sum(float[] left, float[] right) => left.Zip(right, (l, r) => l + r).ToArray();

    [Test]
    public async Task SelectAsync_OldTurnMatchesInALongSession_ComesRightAfterTheLatestTwo()
    {
        var turns = Turns(50, (5, "We spent our honeymoon in Zanzibar on a spice farm."));

        var selection = await Select(Selector(), "Remind me about the Zanzibar spice farm", turns);

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selection.MostRelevantFirst).Take(4), Is.EqualTo(new[] { 50, 49, 5, 48 }));
            Assert.That(Ids(selection.MostRelevantFirst), Is.Unique.And.Length.EqualTo(50), "every turn is ranked");
            Assert.That(Ids(selection.Turns), Is.EqualTo(Enumerable.Range(1, 50)), "Turns are chronological");
            Assert.That(selection.UpdatedTurns, Is.Empty);
            Assert.That(selection.QueryEmbedding.IsEmpty, Is.True, "no generator, no vector");
        });
    }

    [TestCase("xylophonist quokka")]
    [TestCase("What is it?")]
    public async Task SelectAsync_NoWordInCommon_RanksByRecencyNewestFirstWithNoLexicalPart(string query)
    {
        var turns = Turns(12);

        var selection = await Select(Selector(), query, turns);

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selection.MostRelevantFirst), Is.EqualTo(Enumerable.Range(1, 12).Reverse()));
            Assert.That(selection.Relevance!.Select(r => r.Lexical), Is.All.EqualTo(0.0));
        });
    }

    [Test]
    public async Task SelectAsync_ShortSessionWithoutPinnedTurns_IsStillRankedByRelevance()
    {
        var turns = Turns(3, (1, "My parrot is named Kiwi."));

        var selection = await Select(Selector(new RelevanceSelectorOptions { AlwaysIncludeLatest = 0 }), "What is my parrot called?", turns);

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selection.MostRelevantFirst), Is.EqualTo(new[] { 1, 3, 2 }));
            Assert.That(Ids(selection.Turns), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(selection.Relevance!.Select(r => r.Pinned), Is.All.False);
        });
    }

    [Test]
    public async Task SelectAsync_ShortSessionWithDefaultOptions_PinsTheLatestTwoThenTheMatchingTurn()
    {
        var turns = Turns(4, (1, "My parrot is named Kiwi."));

        var selection = await Select(Selector(), "parrot", turns);

        Assert.That(Ids(selection.MostRelevantFirst), Is.EqualTo(new[] { 4, 3, 1, 2 }));
    }

    [TestCase(5, MessageSelectionContext.WholeSession, new[] { 50, 49, 5, 48, 47 })]
    [TestCase(null, 4, new[] { 50, 49, 5, 48 })]
    [TestCase(6, 3, new[] { 50, 49, 5 })]
    [TestCase(3, 6, new[] { 50, 49, 5 })]
    [TestCase(1, MessageSelectionContext.WholeSession, new[] { 50 })]
    public async Task SelectAsync_MaxTurnsOrMaxMessages_CapTheResult(int? maxTurns, int maxMessages, int[] expected)
    {
        var turns = Turns(50, (5, "We spent our honeymoon in Zanzibar on a spice farm."));

        var selection = await Select(Selector(new RelevanceSelectorOptions { MaxTurns = maxTurns }), "Zanzibar spice farm", turns, maxMessages: maxMessages);

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selection.MostRelevantFirst), Is.EqualTo(expected));
            Assert.That(Ids(selection.Turns), Is.EqualTo(expected.Order()));
            Assert.That(selection.Relevance, Has.Count.EqualTo(expected.Length));
        });
    }

    [Test]
    public async Task SelectAsync_Relevance_IsAlignedWithMostRelevantFirst()
    {
        var turns = Turns(50, (5, "We spent our honeymoon in Zanzibar on a spice farm."), (20, "Zanzibar again, but no farm this time."));

        var selection = await Select(Selector(), "Zanzibar spice farm", turns);

        var ranked = selection.MostRelevantFirst;
        var parts = selection.Relevance!;
        Assert.That(parts, Has.Count.EqualTo(ranked.Count));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < ranked.Count; i++)
            {
                var id = ranked[i].Id;
                Assert.That(parts[i].Pinned, Is.EqualTo(id >= 49), $"turn {id} pinned");
                Assert.That(parts[i].Recency, Is.EqualTo((id - 1) / 49.0).Within(1e-12), $"turn {id} recency");
                Assert.That(parts[i].Vector, Is.Null, $"turn {id} vector without a generator");
                Assert.That(parts[i].Lexical, Is.InRange(0.0, 1.0));
                var expectedScore = (0.9 * parts[i].Lexical) + (0.1 * parts[i].Recency);
                Assert.That(parts[i].Score, Is.EqualTo(expectedScore).Within(1e-12), $"turn {id} score");
            }

            Assert.That(parts[2].Lexical, Is.EqualTo(1.0), "the best match has lexical 1");
            Assert.That(ranked[3].Id, Is.EqualTo(20));
            Assert.That(parts[3].Lexical, Is.GreaterThan(0).And.LessThan(1));
            Assert.That(parts.Skip(2).Select(p => p.Score), Is.Ordered.Descending, "after the pinned turns, by score");
            Assert.That(parts[0].Recency, Is.EqualTo(1.0).Within(1e-12), "the latest turn");
        });
    }

    [Test]
    public async Task SelectAsync_NoTurns_ReturnsAnEmptySelection()
    {
        var selection = await Select(Selector(), "Zanzibar", []);

        Assert.Multiple(() =>
        {
            Assert.That(selection.Turns, Is.Empty);
            Assert.That(selection.MostRelevantFirst, Is.Empty);
        });
    }

    [Test]
    public async Task SelectAsync_SessionGrewSinceTheLastQuery_RanksANewMatchingTurnAsAFreshIndexWould()
    {
        var selector = Selector();
        var turns = Turns(25, (23, "The Zanzibar ferry leaves at dawn."), (4, "Zanzibar was hot."));
        await Select(selector, "Zanzibar ferry", turns[..20]);

        var selection = await Select(selector, "Zanzibar ferry", turns);
        var fresh = await Select(Selector(), "Zanzibar ferry", turns, sessionId: null);

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selection.MostRelevantFirst).Take(4), Is.EqualTo(new[] { 25, 24, 23, 4 }));
            Assert.That(selection.Relevance!.Select(r => r.Score), Is.EqualTo(fresh.Relevance!.Select(r => r.Score)).Within(1e-12),
                "the statistics extended with the new turns are those of the whole session");
            Assert.That(Ids(selection.MostRelevantFirst), Is.EqualTo(Ids(fresh.MostRelevantFirst)));
        });
    }

    [Test]
    public async Task SelectAsync_ShorterListOfTheSameSession_IsScoredOnThoseTurnsOnly()
    {
        var selector = Selector();
        var turns = Turns(30, (3, "Zanzibar spice farm."), (27, "Zanzibar, Zanzibar, Zanzibar."));
        await Select(selector, "Zanzibar", turns);

        var selection = await Select(selector, "Zanzibar", turns[..10]);
        var fresh = await Select(Selector(), "Zanzibar", turns[..10], sessionId: null);

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selection.MostRelevantFirst), Is.EqualTo(Ids(fresh.MostRelevantFirst)));
            Assert.That(Ids(selection.MostRelevantFirst), Has.Length.EqualTo(10));
            Assert.That(selection.Relevance!.Select(r => r.Score), Is.EqualTo(fresh.Relevance!.Select(r => r.Score)).Within(1e-12));
        });
    }

    [Test]
    public async Task SelectAsync_SessionRecreatedWithTheSameIds_IsIndexedAgain()
    {
        var selector = Selector();
        var before = Turns(20, (3, "The Zanzibar trip."));
        var first = await Select(selector, "Zanzibar", before);

        var recreated = TurnsAt(Start.AddDays(1), 20); // same ids, new turns: turn 3 no longer mentions Zanzibar
        var second = await Select(selector, "Zanzibar", recreated);

        Assert.Multiple(() =>
        {
            Assert.That(first.MostRelevantFirst[2].Id, Is.EqualTo(3));
            Assert.That(second.Relevance!.Select(r => r.Lexical), Is.All.EqualTo(0.0), "the old turn's words are gone");
            Assert.That(Ids(second.MostRelevantFirst), Is.EqualTo(Enumerable.Range(1, 20).Reverse()));
        });
    }

    [Test]
    public async Task SelectAsync_TwoSessionsOnOneSelector_KeepTheirOwnStatistics()
    {
        var selector = Selector();
        var a = Turns(10, (2, "Zanzibar."));
        var b = TurnsAt(Start.AddDays(3), 10, (7, "Zanzibar."));

        var first = await Select(selector, "Zanzibar", a, "session-a");
        var second = await Select(selector, "Zanzibar", b, "session-b");
        var again = await Select(selector, "Zanzibar", a, "session-a");

        Assert.Multiple(() =>
        {
            Assert.That(first.MostRelevantFirst[2].Id, Is.EqualTo(2));
            Assert.That(second.MostRelevantFirst[2].Id, Is.EqualTo(7));
            Assert.That(Ids(again.MostRelevantFirst), Is.EqualTo(Ids(first.MostRelevantFirst)));
        });
    }

    [TestCase("Where was that cafe?", "We met at the Café near the station.")]
    [TestCase("Where was that CAFÉ?", "We met at the cafe near the station.")]
    [TestCase("Qué pasó en Málaga", "Our trip to MALAGA was lovely.")]
    public async Task SelectAsync_AccentsAndCaseDiffer_StillMatches(string query, string turn)
    {
        var turns = Turns(20, (6, turn));

        var selection = await Select(Selector(new RelevanceSelectorOptions { AlwaysIncludeLatest = 0 }), query, turns);

        Assert.Multiple(() =>
        {
            Assert.That(selection.MostRelevantFirst[0].Id, Is.EqualTo(6));
            Assert.That(selection.Relevance![0].Lexical, Is.EqualTo(1.0));
        });
    }

    [Test]
    public async Task SelectAsync_WithGenerator_AParaphraseSharingNoWordRanksItsTurnFirstAfterThePinned()
    {
        var generator = new KeywordEmbeddingGenerator();
        var turns = Turns(30, (7, "I adopted a tabby last spring."));

        var selection = await Select(Selector(generator: generator), "feline companion", turns);

        Assert.Multiple(() =>
        {
            Assert.That(Ids(selection.MostRelevantFirst).Take(3), Is.EqualTo(new[] { 30, 29, 7 }));
            Assert.That(selection.Relevance![2].Vector, Is.EqualTo(1.0));
            Assert.That(selection.Relevance.Select(r => r.Lexical), Is.All.EqualTo(0.0), "no word is shared");
            Assert.That(selection.Relevance.Skip(3).Select(r => r.Vector), Is.All.EqualTo(0.0), "the other turns are no more similar than the mean");
        });
    }

    [Test]
    public async Task SelectAsync_WithGenerator_ReturnsTheNormalizedQueryVector()
    {
        var generator = new KeywordEmbeddingGenerator();

        var selection = await Select(Selector(generator: generator), "Where did I drive the car?", Turns(3));

        Assert.Multiple(() =>
        {
            Assert.That(selection.QueryEmbedding.ToArray(), Is.EqualTo(generator.Embed("Where did I drive the car?")).Within(1e-6f));
            Assert.That(TensorPrimitives.Norm(selection.QueryEmbedding.Span), Is.EqualTo(1f).Within(1e-5f));
        });
    }

    [Test]
    public async Task SelectAsync_WithGenerator_EmbedsTurnsWithoutVectorsInOneCall_AndReturnsThemToStore()
    {
        var generator = new KeywordEmbeddingGenerator();
        var turns = Turns(8, (3, "I adopted a tabby last spring."));

        var selection = await Select(Selector(generator: generator), "feline", turns);

        var updated = selection.UpdatedTurns;
        Assert.Multiple(() =>
        {
            Assert.That(generator.Calls, Is.EqualTo(2), "one call for the query, one for all the turns");
            Assert.That(generator.Texts[0], Is.EqualTo("feline"));
            Assert.That(generator.Texts.Skip(1), Is.EqualTo(turns.Reverse().Select(t => t.Query + "\n" + t.Answer)), "the newest first");
            Assert.That(Ids(updated), Is.EqualTo(Enumerable.Range(1, 8).Reverse()));
            foreach (var turn in updated)
            {
                Assert.That(turn.Embedding.ToArray(), Is.EqualTo(generator.Embed(turn.Query + "\n" + turn.Answer)).Within(1e-6f), $"turn {turn.Id}");
                Assert.That(turn with { Embedding = default }, Is.EqualTo(turns[turn.Id - 1]), "only the vector changes");
            }

            Assert.That(selection.Turns.Select(t => t.Embedding.IsEmpty), Is.All.False, "the selected turns carry their vectors");
        });
    }

    [Test]
    public async Task SelectAsync_WithGenerator_TurnsThatHaveVectors_AreNotEmbeddedAgain()
    {
        var generator = new KeywordEmbeddingGenerator();
        var selector = Selector(generator: generator);
        var first = await Select(selector, "feline", Turns(8, (3, "I adopted a tabby last spring.")));
        var stored = first.Turns.ToArray();

        var second = await Select(selector, "kitten", stored);

        Assert.Multiple(() =>
        {
            Assert.That(generator.Calls, Is.EqualTo(3), "only the second query is embedded");
            Assert.That(second.UpdatedTurns, Is.Empty);
            Assert.That(second.MostRelevantFirst[2].Id, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task SelectAsync_MaxEmbeddedPerQuery_EmbedsAtMostThatManyTurnsTheNewestFirst()
    {
        var generator = new KeywordEmbeddingGenerator();
        var turns = Turns(20, (3, "I adopted a tabby last spring."));

        var selection = await Select(Selector(new RelevanceSelectorOptions { MaxEmbeddedPerQuery = 5 }, generator), "feline", turns);

        var vectors = selection.MostRelevantFirst.Zip(selection.Relevance!).ToDictionary(p => p.First.Id, p => p.Second.Vector);
        Assert.Multiple(() =>
        {
            Assert.That(Ids(selection.UpdatedTurns), Is.EqualTo(new[] { 20, 19, 18, 17, 16 }));
            Assert.That(generator.Texts, Has.Count.EqualTo(6));
            Assert.That(vectors[3], Is.Null, "turn 3 was not embedded by this query");
            Assert.That(vectors[16], Is.Not.Null);
            Assert.That(vectors[15], Is.Null);
        });
    }

    [Test]
    public async Task SelectAsync_MaxEmbeddedPerQueryZero_EmbedsOnlyTheQuery()
    {
        var generator = new KeywordEmbeddingGenerator();

        var selection = await Select(Selector(new RelevanceSelectorOptions { MaxEmbeddedPerQuery = 0 }, generator), "feline", Turns(5));

        Assert.Multiple(() =>
        {
            Assert.That(generator.Texts, Is.EqualTo(new[] { "feline" }));
            Assert.That(selection.UpdatedTurns, Is.Empty);
            Assert.That(selection.QueryEmbedding.IsEmpty, Is.False);
        });
    }

    [Test]
    public async Task SelectAsync_GeneratorFails_ReturnsTheLexicalRankingAndWarns()
    {
        var generator = new KeywordEmbeddingGenerator { Failure = new InvalidOperationException("The model is down.") };
        var logger = new CollectingLogger<RelevanceMessageSelector>();
        var turns = Turns(30, (5, "We spent our honeymoon in Zanzibar."));

        var selection = await Select(Selector(generator: generator, logger: logger), "Zanzibar honeymoon", turns);

        var warning = logger.Entries.Single(e => e.Level == LogLevel.Warning);
        Assert.Multiple(() =>
        {
            Assert.That(Ids(selection.MostRelevantFirst).Take(3), Is.EqualTo(new[] { 30, 29, 5 }));
            Assert.That(selection.Relevance!.Select(r => r.Vector), Is.All.Null);
            Assert.That(selection.QueryEmbedding.IsEmpty, Is.True);
            Assert.That(selection.UpdatedTurns, Is.Empty);
            Assert.That(warning.EventId.Id, Is.EqualTo(1411));
            Assert.That(warning.Message, Does.Contain(SessionA));
            Assert.That(warning.Exception, Is.SameAs(generator.Failure));
        });
    }

    [Test]
    public async Task SelectAsync_GeneratorHangs_TimesOutAndReturnsTheLexicalRanking()
    {
        var generator = new KeywordEmbeddingGenerator { Hang = true };
        var logger = new CollectingLogger<RelevanceMessageSelector>();
        var turns = Turns(30, (5, "We spent our honeymoon in Zanzibar."));
        var stopwatch = Stopwatch.StartNew();

        var selection = await Select(
            Selector(new RelevanceSelectorOptions { EmbeddingTimeout = TimeSpan.FromMilliseconds(200) }, generator, logger), "Zanzibar honeymoon", turns);

        stopwatch.Stop();
        var warning = logger.Entries.Single(e => e.Level == LogLevel.Warning);
        Assert.Multiple(() =>
        {
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
            Assert.That(Ids(selection.MostRelevantFirst).Take(3), Is.EqualTo(new[] { 30, 29, 5 }));
            Assert.That(selection.QueryEmbedding.IsEmpty, Is.True);
            Assert.That(warning.EventId.Id, Is.EqualTo(1411));
            Assert.That(warning.Exception, Is.TypeOf<TimeoutException>());
            Assert.That(warning.Exception!.Message, Does.Contain("Dexter:Sessions:Relevance:EmbeddingTimeout").And.Contain("0.2 s"));
        });
    }

    [Test]
    public void SelectAsync_CallerCancelsWhileTheGeneratorHangs_ThrowsOperationCanceled()
    {
        var generator = new KeywordEmbeddingGenerator { Hang = true };
        var logger = new CollectingLogger<RelevanceMessageSelector>();
        var selector = Selector(new RelevanceSelectorOptions { EmbeddingTimeout = Timeout.InfiniteTimeSpan }, generator, logger);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.That(async () => await Select(selector, "Zanzibar", Turns(10), cancellationToken: cancellation.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(logger.Entries.Where(e => e.Level == LogLevel.Warning), Is.Empty, "a cancellation is not a failure");
    }

    [Test]
    public void SelectAsync_CancelledToken_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.That(async () => await Select(Selector(), "Zanzibar", Turns(200), cancellationToken: cancellation.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void SelectAsync_NullContext_Throws()
    {
        Assert.That(async () => await Selector().SelectAsync(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("context"));
    }

    [Test]
    public async Task SelectAsync_VectorWeightZero_NeverCallsTheGenerator()
    {
        var generator = new KeywordEmbeddingGenerator();

        var selection = await Select(Selector(new RelevanceSelectorOptions { VectorWeight = 0 }, generator), "feline", Turns(5));

        Assert.Multiple(() =>
        {
            Assert.That(generator.Calls, Is.Zero);
            Assert.That(selection.QueryEmbedding.IsEmpty, Is.True);
        });
    }

    [Test]
    public void GetCandidateCount_IsTheWholeSession()
    {
        Assert.That(new RelevanceMessageSelector().GetCandidateCount(10), Is.EqualTo(MessageSelectionContext.WholeSession));
    }

    [Test]
    public async Task IndexTurnAsync_TurnWithItsQueryVector_ReturnsTheNormalizedSumOfQueryAndAnswerVectors()
    {
        var generator = new KeywordEmbeddingGenerator();
        var turn = new Message { Id = 4, Query = "Where did I park the car?", Answer = "Next to the dog park.", CreatedAt = Start };
        turn = turn with { Embedding = generator.Embed(turn.Query) };

        var indexed = await Selector(generator: generator).IndexTurnAsync(turn);

        var expected = Normalized(Sum(generator.Embed(turn.Query), generator.Embed(turn.Answer)));
        Assert.Multiple(() =>
        {
            Assert.That(indexed!.Embedding.ToArray(), Is.EqualTo(expected).Within(1e-6f));
            Assert.That(generator.Texts, Is.EqualTo(new[] { turn.Answer }), "the query's vector is reused");
            Assert.That(indexed with { Embedding = default }, Is.EqualTo(turn with { Embedding = default }), "only the vector changes");
        });
    }

    [Test]
    public async Task IndexTurnAsync_TurnWithoutAVector_EmbedsQueryAndAnswerInOneCall()
    {
        var generator = new KeywordEmbeddingGenerator();
        var turn = new Message { Id = 4, Query = "Where did I park the car?", Answer = "Next to the dog park." };

        var indexed = await Selector(generator: generator).IndexTurnAsync(turn);

        Assert.Multiple(() =>
        {
            Assert.That(indexed!.Embedding.ToArray(), Is.EqualTo(Normalized(Sum(generator.Embed(turn.Query), generator.Embed(turn.Answer)))).Within(1e-6f));
            Assert.That(generator.Calls, Is.EqualTo(1));
            Assert.That(generator.Texts, Is.EqualTo(new[] { turn.Query, turn.Answer }));
        });
    }

    [Test]
    public async Task IndexTurnAsync_NoGenerator_ReturnsNull()
    {
        var selector = Selector();

        var indexed = await selector.IndexTurnAsync(new Message { Id = 1, Query = "q", Answer = "a" });

        Assert.Multiple(() =>
        {
            Assert.That(indexed, Is.Null);
            Assert.That(selector.IndexesTurns, Is.False);
        });
    }

    [Test]
    public async Task IndexTurnAsync_VectorWeightZero_ReturnsNullWithoutCallingTheGenerator()
    {
        var generator = new KeywordEmbeddingGenerator();
        var selector = Selector(new RelevanceSelectorOptions { VectorWeight = 0 }, generator);

        var indexed = await selector.IndexTurnAsync(new Message { Id = 1, Query = "cat", Answer = "feline" });

        Assert.Multiple(() =>
        {
            Assert.That(indexed, Is.Null);
            Assert.That(selector.IndexesTurns, Is.False);
            Assert.That(generator.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task IndexTurnAsync_EmptyAnswer_ReturnsNull()
    {
        var generator = new KeywordEmbeddingGenerator();

        var indexed = await Selector(generator: generator).IndexTurnAsync(new Message { Id = 1, Query = "cat", Answer = " " });

        Assert.Multiple(() =>
        {
            Assert.That(indexed, Is.Null);
            Assert.That(generator.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task IndexTurnAsync_GeneratorFails_ReturnsNullAndWarns()
    {
        var generator = new KeywordEmbeddingGenerator { Failure = new InvalidOperationException("The model is down.") };
        var logger = new CollectingLogger<RelevanceMessageSelector>();

        var indexed = await Selector(generator: generator, logger: logger).IndexTurnAsync(new Message { Id = 9, Query = "cat", Answer = "feline" });

        var warning = logger.Entries.Single(e => e.Level == LogLevel.Warning);
        Assert.Multiple(() =>
        {
            Assert.That(indexed, Is.Null);
            Assert.That(warning.EventId.Id, Is.EqualTo(1413));
            Assert.That(warning.Message, Does.Contain("Turn 9"));
            Assert.That(warning.Exception, Is.SameAs(generator.Failure));
        });
    }

    [Test]
    public async Task SelectAsync_TokenBudgetGiven_ReturnsTheBestTurnsThatCouldFillItThreeTimes_AndAtLeast64()
    {
        var turns = Turns(500, (3, "The spare key is under the blue flowerpot.")).Select(t => t with { TokenCount = 20 }).ToArray();
        var selector = Selector();

        var small = await selector.SelectAsync(new MessageSelectionContext("Where is the spare key?", turns, MessageSelectionContext.WholeSession) { SessionId = SessionA, MaxTokens = 100 });
        var large = await selector.SelectAsync(new MessageSelectionContext("Where is the spare key?", turns, MessageSelectionContext.WholeSession) { SessionId = SessionA, MaxTokens = 2_000 });
        var none = await selector.SelectAsync(new MessageSelectionContext("Where is the spare key?", turns, MessageSelectionContext.WholeSession) { SessionId = SessionA });

        Assert.Multiple(() =>
        {
            Assert.That(small.MostRelevantFirst, Has.Count.EqualTo(64), "64 turns at least, though 15 hold three budgets");
            Assert.That(large.MostRelevantFirst, Has.Count.EqualTo(300), "300 turns of 20 tokens hold three budgets of 2,000");
            Assert.That(none.MostRelevantFirst, Has.Count.EqualTo(500), "without a budget, every turn");
            Assert.That(small.MostRelevantFirst[2].Id, Is.EqualTo(3), "the best after the latest two, in every case");
            Assert.That(small.Turns.Select(t => t.Id), Is.Ordered, "chronological");
            Assert.That(small.Relevance, Has.Count.EqualTo(64));
        });
    }

    [Test]
    public async Task PrepareTurnAsync_TurnWithoutAVector_IsLeftForIndexingOffTheAnswersPath()
    {
        var generator = new KeywordEmbeddingGenerator();
        var turn = new Message { Query = "My cat is called Tom.", Answer = "Nice." };

        var prepared = await Selector(generator: generator).PrepareTurnAsync(turn);
        var indexed = await Selector(generator: generator).IndexTurnAsync(prepared with { Id = 3 });

        Assert.Multiple(() =>
        {
            Assert.That(prepared, Is.SameAs(turn), "nothing is embedded before the turn is recorded");
            Assert.That(generator.Texts, Is.EqualTo(new[] { turn.Query, turn.Answer }), "after it, the query and the answer in one call");
            Assert.That(indexed!.Embedding.IsEmpty, Is.False);
        });
    }

    [Test]
    public async Task PrepareTurnAsync_TurnWithAVector_IsLeftAsItIs()
    {
        var generator = new KeywordEmbeddingGenerator();
        var turn = new Message { Query = "My cat is called Tom.", Answer = "Nice.", Embedding = new float[] { 1, 0 } };

        var prepared = await Selector(generator: generator).PrepareTurnAsync(turn);

        Assert.Multiple(() =>
        {
            Assert.That(prepared, Is.SameAs(turn));
            Assert.That(generator.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task RunAsync_GeneratorTimesOut_IsCalledOnceOnTheAnswersPathAndOnceAfter()
    {
        var generator = new KeywordEmbeddingGenerator { Hang = true };
        var selector = Selector(new RelevanceSelectorOptions { EmbeddingTimeout = TimeSpan.FromMilliseconds(300) }, generator);
        var store = new InMemorySessionStore();
        await using var worker = new SessionSummaryWorker();
        var agent = new DexterAgent(new FakeChatClient(), new SessionTurnPipeline(store, selector: selector, worker: worker));
        await store.AppendAsync("s", new Message { Query = "Hello", Answer = "Hi." }); // a past turn, so the selection embeds the query

        var response = await agent.RunAsync("My cat is called Tom.", "s");
        await worker.WhenIdleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.Turn.Id, Is.EqualTo(2));
            Assert.That(generator.Calls, Is.EqualTo(2), "the query for the selection, then query and answer off the answer's path; never again before the turn is recorded");
        });
    }

    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        static TestCaseData Case(Action<RelevanceSelectorOptions> set, string message, string name) =>
            new TestCaseData(set, message).SetArgDisplayNames(name);

        const string Key = "Dexter:Sessions:Relevance:";
        yield return Case(o => o.AlwaysIncludeLatest = -1, Key + "AlwaysIncludeLatest must be at least 0; it is -1.", "AlwaysIncludeLatest");
        yield return Case(o => o.LexicalWeight = -0.5, Key + "LexicalWeight must be a finite number of at least 0; it is -0.5.", "LexicalWeight negative");
        yield return Case(o => o.LexicalWeight = double.NaN, Key + "LexicalWeight must be a finite number of at least 0; it is NaN.", "LexicalWeight NaN");
        yield return Case(o => o.VectorWeight = -1, Key + "VectorWeight must be a finite number of at least 0; it is -1.", "VectorWeight negative");
        yield return Case(o => o.VectorWeight = double.PositiveInfinity, Key + "VectorWeight must be a finite number of at least 0; it is Infinity.", "VectorWeight infinite");
        yield return Case(
            o => (o.LexicalWeight, o.VectorWeight) = (0, 0),
            Key + "LexicalWeight and " + Key + "VectorWeight cannot both be 0: nothing would rank the turns.",
            "both weights 0");
        yield return Case(o => o.RecencyWeight = 1.5, Key + "RecencyWeight must be between 0 and 1; it is 1.5.", "RecencyWeight above 1");
        yield return Case(o => o.RecencyWeight = -0.1, Key + "RecencyWeight must be between 0 and 1; it is -0.1.", "RecencyWeight negative");
        yield return Case(o => o.RecencyWeight = double.NaN, Key + "RecencyWeight must be between 0 and 1; it is NaN.", "RecencyWeight NaN");
        yield return Case(o => o.MaxTurns = 0, Key + "MaxTurns must be at least 1, or unset for the token budget to decide; it is 0.", "MaxTurns");
        yield return Case(o => o.MaxEmbeddedPerQuery = -1, Key + "MaxEmbeddedPerQuery must be at least 0; it is -1.", "MaxEmbeddedPerQuery");
        yield return Case(
            o => o.EmbeddingTimeout = TimeSpan.Zero,
            Key + "EmbeddingTimeout must be positive, or Timeout.InfiniteTimeSpan for no limit; it is 00:00:00.",
            "EmbeddingTimeout zero");
        yield return Case(
            o => o.EmbeddingTimeout = TimeSpan.FromSeconds(-5),
            Key + "EmbeddingTimeout must be positive, or Timeout.InfiniteTimeSpan for no limit; it is -00:00:05.",
            "EmbeddingTimeout negative");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void Constructor_OptionOutOfRange_ThrowsNamingTheSetting(Action<RelevanceSelectorOptions> set, string message)
    {
        var options = new RelevanceSelectorOptions();
        set(options);

        Assert.That(
            () => new RelevanceMessageSelector(options: Options.Create(options)),
            Throws.TypeOf<OptionsValidationException>().With.Property(nameof(OptionsValidationException.Failures)).EqualTo(new[] { message }));
    }

    [Test]
    public void Constructor_EdgeValues_AreAccepted()
    {
        var options = new RelevanceSelectorOptions
        {
            AlwaysIncludeLatest = 0,
            LexicalWeight = 0,
            VectorWeight = 1,
            RecencyWeight = 1,
            MaxTurns = 1,
            MaxEmbeddedPerQuery = 0,
            EmbeddingTimeout = Timeout.InfiniteTimeSpan,
        };

        Assert.That(() => new RelevanceMessageSelector(options: Options.Create(options)), Throws.Nothing);
    }
}
