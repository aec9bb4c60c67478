using System.Numerics.Tensors;
using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Agent;

/// <summary>Relevance selection through the real pipeline: what reaches the model, within the budget, and what the explanation says.</summary>
public sealed class RelevanceContextTests : AgentTestBase
{
    private static readonly string[] Chatter =
    [
        "Could you walk me through how to organise a shared spreadsheet so that the whole team can follow the monthly figures easily?",
        "Please suggest a relaxing film for a quiet evening at home, something gentle with beautiful scenery and a hopeful ending.",
        "Tell me a light joke about programmers and their endless debugging sessions late at night before a big release.",
        "Any practical tips for sleeping better when the neighbours are noisy and the summer nights are warm and bright?",
        "Which novel should I read next if I enjoyed slow historical stories with plenty of letters and family secrets?",
    ];

    private const string Reply =
        "We looked at several options, weighed the costs and the benefits, and settled on a plan that keeps everyone comfortable. ";

    private static Microsoft.ML.Tokenizers.Tokenizer Tokenizer => ContextBudget.DefaultTokenizer;

    private SessionTurnPipeline Pipeline(DexterSessionsOptions? options = null, IMessageSelector? selector = null) =>
        new(_store, selector: selector, options: Options.Create(options ?? new DexterSessionsOptions()), timeProvider: _clock, logger: _logger);

    /// <summary>Records <paramref name="count"/> turns straight in the store; <paramref name="facts"/> replace some queries.</summary>
    private async Task<Message[]> SeedAsync(int count, Func<int, int>? replySentences = null, params (int Id, string Query)[] facts)
    {
        var recorded = new List<Message>();
        for (var i = 1; i <= count; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(10));
            var query = facts.FirstOrDefault(f => f.Id == i).Query ?? Chatter[i % Chatter.Length];
            var answer = string.Concat(Enumerable.Repeat(Reply, replySentences?.Invoke(i) ?? 4)).TrimEnd();
            recorded.Add(await _store.AppendAsync(_sessionId, new Message { Query = query, Answer = answer, CreatedAt = _clock.GetUtcNow() }));
        }

        return [.. recorded];
    }

    private static (ChatRole Role, string Text)[] Shape(IEnumerable<ChatMessage> messages) => messages.Select(m => (m.Role, m.Text)).ToArray();

    /// <summary>What the last request gave the model before the user's question.</summary>
    private IReadOnlyList<ChatMessage> LastContextSent()
    {
        var request = _model.Requests[^1];
        return request.Take(request.Count - 1).ToList();
    }

    private static float[] Normalized(float[] vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        return vector.Select(v => v / norm).ToArray();
    }

    [Test]
    public async Task RunAsync_FactInTheFirstOfFortyTurns_ReachesTheModelWithTheLatestTwoInChronologicalOrder()
    {
        await SeedAsync(40, facts: (1, "My locker code at the Zanzibar climbing gym is 4711, please remember it."));
        var agent = Create();

        var response = await agent.RunAsync("What is my locker code at the Zanzibar gym?", _sessionId);

        var ids = response.Context.Select(t => t.Id).ToArray();
        var context = _model.Requests[^1][0].Text;
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Length.LessThan(40), "the session holds more than fits, so selection matters");
            Assert.That(ids, Does.Contain(1).And.Contain(39).And.Contain(40));
            Assert.That(ids, Is.Ordered.And.Unique);
            Assert.That(context, Does.Contain("**Turn 1:**\n- User: My locker code at the Zanzibar climbing gym is 4711"));
            Assert.That(context.IndexOf("**Turn 1:**", StringComparison.Ordinal), Is.LessThan(context.IndexOf("**Turn 39:**", StringComparison.Ordinal)));
            Assert.That(context.IndexOf("**Turn 39:**", StringComparison.Ordinal), Is.LessThan(context.IndexOf("**Turn 40:**", StringComparison.Ordinal)));
        });
    }

    [Test]
    public async Task RunAsync_RecentSelectionOnTheSameSession_MissesTheFact()
    {
        // The contrast to the test above: the latest turns alone do not reach turn 1.
        await SeedAsync(40, facts: (1, "My locker code at the Zanzibar climbing gym is 4711, please remember it."));

        var response = await Create(new DexterSessionsOptions { Selection = SessionSelection.Recent }).RunAsync("What is my locker code at the Zanzibar gym?", _sessionId);

        Assert.That(response.Context.Select(t => t.Id), Does.Not.Contain(1));
    }

    [TestCase(SessionContextMode.Text)]
    [TestCase(SessionContextMode.Messages)]
    public async Task RunAsync_SessionHoldsMoreThanFits_FillsAtLeastNinetyPercentOfTheBudgetAndNeverMore(SessionContextMode mode)
    {
        await SeedAsync(60, i => 1 + (i * 7 % 6), (12, "Remember that the Zanzibar ferry leaves at dawn."));
        var options = new DexterSessionsOptions { ContextMode = mode, Instructions = "You are Dexter, a careful assistant." };
        var pipeline = Pipeline(options);

        var explanation = await pipeline.ExplainContextAsync(_sessionId, "When does the Zanzibar ferry leave?");
        await new DexterAgent(_model, pipeline).RunAsync("When does the Zanzibar ferry leave?", _sessionId);

        var instructions = ContextBudget.CountTokens(Tokenizer, explanation.Messages[0]);
        var leftForTurns = options.MaxContextTokens - instructions;
        var sent = ContextBudget.CountTokens(Tokenizer, LastContextSent());
        Assert.Multiple(() =>
        {
            Assert.That(explanation.Turns, Has.Count.LessThan(60), "not every turn fits");
            Assert.That(explanation.Turns.Select(t => t.TurnId), Does.Contain(12));
            Assert.That(explanation.TokenCount, Is.EqualTo(ContextBudget.CountTokens(Tokenizer, explanation.Messages)));
            Assert.That(sent, Is.EqualTo(explanation.TokenCount), "the model receives what the explanation counts");
            Assert.That(sent, Is.LessThanOrEqualTo(options.MaxContextTokens));
            Assert.That(sent - instructions, Is.GreaterThanOrEqualTo(0.9 * leftForTurns));
        });
    }

    [TestCase(SessionContextMode.Text)]
    [TestCase(SessionContextMode.Messages)]
    public async Task ExplainContextAsync_ReturnsExactlyTheContextTheModelThenReceives(SessionContextMode mode)
    {
        await SeedAsync(50, facts: (7, "My sister Greta lives in Reykjavik."));
        var pipeline = Pipeline(new DexterSessionsOptions { ContextMode = mode, Instructions = "Be brief." });

        var explanation = await pipeline.ExplainContextAsync(_sessionId, "Where does Greta live?");
        var response = await new DexterAgent(_model, pipeline).RunAsync("Where does Greta live?", _sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(Shape(explanation.Messages), Is.EqualTo(Shape(LastContextSent())));
            Assert.That(explanation.Turns.Select(t => t.TurnId), Is.EqualTo(response.Context.Select(t => t.Id)));
            Assert.That(explanation.Turns.Select(t => t.TurnId), Does.Contain(7));
        });
    }

    [Test]
    public async Task DexterAgent_ExplainContextAsync_IsThePipelines_AndValidatesLikeRunAsync()
    {
        await SeedAsync(30, facts: (4, "My sister Greta lives in Reykjavik."));
        var pipeline = Pipeline();
        var agent = new DexterAgent(_model, pipeline);

        var fromAgent = await agent.ExplainContextAsync("Where does Greta live?", _sessionId);
        var fromPipeline = await pipeline.ExplainContextAsync(_sessionId, "Where does Greta live?");

        Assert.Multiple(() =>
        {
            Assert.That(fromAgent.Turns, Is.EqualTo(fromPipeline.Turns));
            Assert.That(fromAgent.Turns.Single(t => t.TurnId == 4).Rank, Is.EqualTo(3), "right after the latest two");
            Assert.That(() => agent.ExplainContextAsync(" ", _sessionId), Throws.ArgumentException);
            Assert.That(() => agent.ExplainContextAsync("Where?", "not a valid id!"), Throws.ArgumentException);
            Assert.That(_model.Requests, Is.Empty, "explaining never calls the model");
        });
    }

    [Test]
    public async Task ExplainContextAsync_RecordsNothing()
    {
        await SeedAsync(5);
        var pipeline = Pipeline();
        var other = SessionId.New();

        await pipeline.ExplainContextAsync(_sessionId, "Anything about films?");
        var empty = await pipeline.ExplainContextAsync(other, "Anything about films?");

        Assert.Multiple(async () =>
        {
            Assert.That((await _store.GetMetadataAsync(_sessionId))!.TurnCount, Is.EqualTo(5));
            Assert.That(await _store.ExistsAsync(other), Is.False, "explaining does not create a session");
            Assert.That(empty.Turns, Is.Empty);
            Assert.That(empty.Messages, Is.Empty);
            Assert.That(empty.ConsideredTurns, Is.Zero);
            Assert.That(_model.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task ExplainContextAsync_ListsEachTurnsIdTokensRankAndScoreParts()
    {
        var seeded = await SeedAsync(30, i => 1, (4, "My sister Greta lives in Reykjavik."));
        var pipeline = Pipeline(new DexterSessionsOptions { ContextMode = SessionContextMode.Messages });

        var explanation = await pipeline.ExplainContextAsync(_sessionId, "Where does Greta live?");

        var byId = explanation.Turns.ToDictionary(t => t.TurnId);
        Assert.Multiple(() =>
        {
            Assert.That(explanation.Turns.Select(t => t.TurnId), Is.EqualTo(Enumerable.Range(1, 30)), "every turn fits, in chronological order");
            Assert.That(explanation.Turns.Select(t => t.Rank).Order(), Is.EqualTo(Enumerable.Range(1, 30)));
            Assert.That(byId[30].Rank, Is.EqualTo(1));
            Assert.That(byId[29].Rank, Is.EqualTo(2));
            Assert.That(byId[4].Rank, Is.EqualTo(3));
            Assert.That(byId[30].Relevance!.Value.Pinned, Is.True);
            Assert.That(byId[30].Relevance!.Value.Recency, Is.EqualTo(1.0).Within(1e-9));
            Assert.That(byId[4].Relevance!.Value.Pinned, Is.False);
            Assert.That(byId[4].Relevance!.Value.Lexical, Is.EqualTo(1.0));
            Assert.That(byId[4].Relevance!.Value.Vector, Is.Null);
            Assert.That(byId[5].Relevance!.Value.Lexical, Is.Zero);
            Assert.That(explanation.Turns.Select(t => t.Cut), Is.All.False);
            foreach (var turn in seeded)
            {
                Assert.That(byId[turn.Id].Tokens, Is.EqualTo(ContextBudget.CountTokens(Tokenizer, MessageHistory.ToChatMessages([turn]))), $"turn {turn.Id}");
            }

            Assert.That(explanation.Turns.Sum(t => t.Tokens), Is.EqualTo(explanation.TokenCount), "as messages, the turns' tokens add up");
            Assert.That(explanation.MaxTokens, Is.EqualTo(DexterSessionsOptions.DefaultMaxContextTokens));
            Assert.That(explanation.ConsideredTurns, Is.EqualTo(30));
            Assert.That(explanation.Selector, Is.EqualTo(nameof(RelevanceMessageSelector)));
            Assert.That(explanation.SelectorFellBack, Is.False);
            Assert.That(explanation.RollingSummary, Is.Null);
        });
    }

    [Test]
    public async Task BeginTurnAsync_ActivityCarriesTheExplanationsTurnIdsAndTokens()
    {
        using var activities = new ActivityRecorder();
        await SeedAsync(40, facts: (3, "My sister Greta lives in Reykjavik."));
        var pipeline = Pipeline();
        var explained = await pipeline.ExplainContextAsync(_sessionId, "Where does Greta live?");

        ContextExplanation explanation;
        using (var turn = await pipeline.BeginTurnAsync(_sessionId, [new ChatMessage(ChatRole.User, "Where does Greta live?")]))
        {
            explanation = turn.Explanation;
            await turn.CompleteAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "In Reykjavik.")));
        }

        var activity = activities.Stopped.Single(a => (string?)a.GetTagItem("gen_ai.conversation.id") == _sessionId);
        Assert.Multiple(() =>
        {
            Assert.That(activity.OperationName, Is.EqualTo(DexterSessionsTelemetry.TurnActivityName));
            Assert.That(activity.GetTagItem("dexter.context.turn_ids"), Is.EqualTo(explanation.Turns.Select(t => t.TurnId).ToArray()));
            Assert.That(activity.GetTagItem("dexter.context.turn_tokens"), Is.EqualTo(explanation.Turns.Select(t => t.Tokens).ToArray()));
            Assert.That(activity.GetTagItem("dexter.context.tokens"), Is.EqualTo(explanation.TokenCount));
            Assert.That(activity.GetTagItem("dexter.context.turns"), Is.EqualTo(explanation.Turns.Count));
            Assert.That(explanation.Turns.Select(t => t.TurnId), Does.Contain(3));
            Assert.That(explanation.Turns, Is.EqualTo(explained.Turns), "the turn's explanation is the one ExplainContextAsync gave");
        });
    }

    [Test]
    public async Task RunAsync_TurnsAppendedByAnotherPipeline_AreSeenByTheNextQuery()
    {
        var first = new DexterAgent(_model, Pipeline());
        var second = new DexterAgent(_model, Pipeline());
        for (var i = 1; i <= 3; i++)
        {
            await first.RunAsync("Question " + i, _sessionId);
        }

        await second.RunAsync("My bike lock combination is 5150.", _sessionId);
        for (var i = 5; i <= 16; i++)
        {
            await second.RunAsync(Chatter[i % Chatter.Length], _sessionId); // more than the cache's probe
        }

        var response = await first.RunAsync("What is my bike lock combination?", _sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(response.Context.Select(t => t.Id), Does.Contain(4));
            Assert.That(_model.Requests[^1][0].Text, Does.Contain("My bike lock combination is 5150."));
            Assert.That(response.Turn.Id, Is.EqualTo(17));
        });
        var explanation = await Pipeline().ExplainContextAsync(_sessionId, "bike");
        Assert.That(explanation.ConsideredTurns, Is.EqualTo(17));
    }

    [Test]
    public async Task RunAsync_AfterTheSessionIsDeleted_HasNoPastTurns()
    {
        var agent = Create();
        for (var i = 1; i <= 3; i++)
        {
            await agent.RunAsync("My favourite colour is teal, number " + i, _sessionId);
        }

        await _store.DeleteAsync(_sessionId);
        var response = await agent.RunAsync("What is my favourite colour?", _sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(response.Context, Is.Empty);
            Assert.That(Shape(_model.Requests[^1]), Is.EqualTo(new[] { (ChatRole.User, "What is my favourite colour?") }));
            Assert.That(response.Turn.Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RunAsync_WithAnEmbeddingGenerator_StoresEachTurnWithTheNormalizedSumOfQueryAndAnswerVectors()
    {
        var generator = new KeywordEmbeddingGenerator();
        var answers = new Dictionary<string, string>
        {
            ["I parked the car near the station."] = "Noted, next to the dog park.",
            ["Where did I leave the car?"] = "By the puppy park, near the station.",
        };
        _model.OnGetResponse = (messages, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answers[messages[^1].Text])));
        var agent = Create(new DexterSessionsOptions { BackgroundSummaries = false }, selector: new RelevanceMessageSelector(generator));

        var first = await agent.RunAsync("I parked the car near the station.", _sessionId);
        var stored = (await Stored()).Single();
        var textsBefore = generator.Texts.Count;
        var second = await agent.RunAsync("Where did I leave the car?", _sessionId);
        var stored2 = (await Stored()).Single(t => t.Id == second.Turn.Id);

        Assert.Multiple(() =>
        {
            Assert.That(stored.Embedding.ToArray(), Is.EqualTo(Normalized([.. generator.Embed(first.Turn.Query).Zip(generator.Embed(first.Answer), (q, a) => q + a)])).Within(1e-6f));
            Assert.That(stored2.Embedding.ToArray(), Is.EqualTo(Normalized([.. generator.Embed(second.Turn.Query).Zip(generator.Embed(second.Answer), (q, a) => q + a)])).Within(1e-6f));
            Assert.That(generator.Texts.Skip(textsBefore), Is.EqualTo(new[] { second.Turn.Query, second.Answer }),
                "the query is embedded once, for the selection, and the answer once, after the turn is recorded");
            Assert.That(generator.Texts.Count(t => t == first.Turn.Query), Is.EqualTo(1));
            Assert.That(second.Context.Select(t => t.Id), Is.EqualTo(new[] { 1 }));
        });
    }

    [Test]
    public async Task RunAsync_WithAnEmbeddingGenerator_TurnsStoredWithoutVectorsAreEmbeddedOnceAndKept()
    {
        await SeedAsync(6, facts: (2, "I adopted a tabby last spring."));
        var generator = new KeywordEmbeddingGenerator();
        var agent = Create(new DexterSessionsOptions { BackgroundSummaries = false }, selector: new RelevanceMessageSelector(generator));

        var response = await agent.RunAsync("Tell me about my feline", _sessionId);
        var callsAfterFirst = generator.Calls;
        await agent.RunAsync("And the kitten?", _sessionId);

        var stored = await Stored();
        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(t => t.Embedding.IsEmpty), Is.All.False, "every turn now has its vector");
            Assert.That(stored[1].Embedding.ToArray(), Is.EqualTo(generator.Embed(stored[1].Query + "\n" + stored[1].Answer)).Within(1e-6f));
            Assert.That(generator.Calls - callsAfterFirst, Is.EqualTo(2), "the second query embeds itself and its answer only");
            Assert.That(response.Context.Select(t => t.Id), Does.Contain(2));
        });
    }

    [Test]
    public async Task RunAsync_RelevanceSelection_StartsTheRollingSummaryOnceTheSessionOutgrowsMaxContextMessages()
    {
        var agent = Create(new DexterSessionsOptions { MaxContextMessages = 3 });
        var covered = new List<int>();

        for (var i = 1; i <= 6; i++)
        {
            await agent.RunAsync("Question " + i, _sessionId);
            covered.Add((await _store.GetSummaryAsync(_sessionId))?.ThroughTurnId ?? 0);
        }

        var response = await agent.RunAsync("Question 7", _sessionId);
        var request = _model.Requests[^1];

        Assert.Multiple(() =>
        {
            Assert.That(covered, Is.EqualTo(new[] { 0, 0, 0, 1, 2, 3 }));
            Assert.That(request[0].Role, Is.EqualTo(ChatRole.System));
            Assert.That(request[0].Text, Does.StartWith(SessionContextBuilder.RollingSummaryHeader(3)));
            Assert.That(request[0].Text, Does.Contain("#1 Question 1"));
            Assert.That(response.Context.Select(t => t.Id), Does.Contain(5).And.Contain(6), "the latest turns come too");
        });
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("not a valid id!")]
    public void ExplainContextAsync_InvalidSessionId_Throws(string sessionId)
    {
        Assert.That(async () => await Pipeline().ExplainContextAsync(sessionId, "q"), Throws.InstanceOf<ArgumentException>());
    }

    [TestCase("")]
    [TestCase("   ")]
    public void ExplainContextAsync_EmptyQuery_Throws(string query)
    {
        Assert.That(async () => await Pipeline().ExplainContextAsync(_sessionId, query), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public void ExplainContextAsync_QueryTooLong_ThrowsNamingTheSetting()
    {
        var pipeline = Pipeline(new DexterSessionsOptions { MaxQueryLength = 10 });

        Assert.That(
            async () => await pipeline.ExplainContextAsync(_sessionId, new string('q', 11)),
            Throws.ArgumentException.With.Message.Contains("Dexter:Sessions:MaxQueryLength"));
    }

    [Test]
    public void ExplainContextAsync_NullQuery_Throws()
    {
        Assert.That(async () => await Pipeline().ExplainContextAsync(_sessionId, null!), Throws.ArgumentNullException);
    }
}
