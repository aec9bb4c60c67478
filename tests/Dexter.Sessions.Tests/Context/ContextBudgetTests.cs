using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.Tests.Context;

/// <summary><see cref="DexterSessionsOptions.MaxContextTokens"/>: the context given to the model never exceeds it.</summary>
public sealed class ContextBudgetTests : AgentTestBase
{
    private static readonly string LongAnswer = string.Join(' ', Enumerable.Repeat("Bitcoin's supply is capped at twenty-one million coins, and miners secure the chain.", 60));

    /// <summary>The tokens of what went to the model before the caller's question (instructions and context), counted as the budget counts.</summary>
    private int ContextTokensOfLastRequest()
    {
        var request = _model.Requests[^1];
        return ContextBudget.CountTokens(ContextBudget.DefaultTokenizer, request.Take(request.Count - 1));
    }

    private async Task SeedAsync(int turns, string answer)
    {
        for (var i = 1; i <= turns; i++)
        {
            await _store.AppendAsync(_sessionId, new Message { Query = "Question " + i, Answer = answer, Summary = "summary " + i });
        }
    }

    [TestCase(SessionContextMode.Text, 300)]
    [TestCase(SessionContextMode.Text, 600)]
    [TestCase(SessionContextMode.Messages, 300)]
    [TestCase(SessionContextMode.Messages, 1_000)]
    public async Task RunAsync_LongTurns_ContextStaysWithinTheBudget(SessionContextMode mode, int budget)
    {
        await SeedAsync(10, LongAnswer);
        var agent = Create(new DexterSessionsOptions { MaxContextTokens = budget, ContextMode = mode, Instructions = "Answer briefly and cite earlier turns." });

        var response = await agent.RunAsync("And the halving?", _sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(ContextTokensOfLastRequest(), Is.LessThanOrEqualTo(budget));
            Assert.That(response.Context, Is.Not.Empty, "the most relevant turn made it, cut if need be");
            Assert.That(response.Context.Count, Is.LessThan(10), "not every long turn fits");
        });
    }

    [Test]
    public async Task RunAsync_TurnsDoNotAllFit_TheLeastRelevantGoFirst()
    {
        await SeedAsync(6, "A short answer about coins.");
        var perTurn = ContextBudget.DefaultTokenizer.CountTokens(TextContextFormat.Format([new Message { Id = 6, Query = "Question 6", Answer = "A short answer about coins." }]));
        var agent = Create(new DexterSessionsOptions { MaxContextTokens = perTurn * 2 + 8 });

        var response = await agent.RunAsync("next", _sessionId);

        Assert.That(response.Context.Select(t => t.Id), Is.EqualTo(new[] { 5, 6 }), "with recency as relevance, the latest stay, in order");
    }

    [Test]
    public async Task RunAsync_SelectorRanksOlderTurnHigher_KeepsItOverNewerOnes()
    {
        await SeedAsync(4, "A short answer about coins.");
        var selector = new RecordingSelector { OnRank = ctx => [ctx.Turns[0], .. ctx.Turns.Skip(1).Reverse()] };
        var perTurn = ContextBudget.DefaultTokenizer.CountTokens(TextContextFormat.Format([new Message { Id = 4, Query = "Question 4", Answer = "A short answer about coins." }]));
        var agent = Create(new DexterSessionsOptions { MaxContextTokens = perTurn * 2 + 8 }, selector: selector);

        var response = await agent.RunAsync("back to the first question", _sessionId);

        Assert.That(response.Context.Select(t => t.Id), Is.EqualTo(new[] { 1, 4 }));
    }

    [TestCase(SessionContextMode.Text, 80)] // the planning text already cuts answers to 400 characters
    [TestCase(SessionContextMode.Messages, 200)]
    public async Task RunAsync_OneHugeTurn_IsCutAtATokenBoundaryWithAMarker(SessionContextMode mode, int budget)
    {
        await _store.AppendAsync(_sessionId, new Message { Query = "Tell me everything", Answer = string.Concat(Enumerable.Repeat(LongAnswer, 20)) });
        var agent = Create(new DexterSessionsOptions { MaxContextTokens = budget, ContextMode = mode });

        var response = await agent.RunAsync("Summarize that", _sessionId);

        var context = string.Join('\n', _model.Requests[^1].SkipLast(1).Select(m => m.Text));
        Assert.Multiple(() =>
        {
            Assert.That(ContextTokensOfLastRequest(), Is.LessThanOrEqualTo(budget));
            Assert.That(context, Does.Contain(ContextBudget.CutMarker.Trim()));
            Assert.That(context, Does.Contain("Tell me everything"));
            Assert.That(response.Context.Single().Answer, Does.EndWith(ContextBudget.CutMarker), "the stored turn is untouched; the context's copy is cut");
        });
        Assert.That((await Stored())[0].Answer, Does.Not.Contain(ContextBudget.CutMarker));
    }

    [Test]
    public async Task RunAsync_InstructionsAloneOverTheBudget_AreCutAndAWarningLogged()
    {
        var agent = Create(new DexterSessionsOptions { MaxContextTokens = 100, Instructions = LongAnswer });

        await agent.RunAsync("hello", _sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(ContextTokensOfLastRequest(), Is.LessThanOrEqualTo(100));
            Assert.That(_logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.EventId.Id), Does.Contain(1015));
        });
    }

    [Test]
    public async Task RunAsync_RecordsTheTurnsTokenCount_OnceAsTheBudgetCountsIt()
    {
        var agent = Create();

        var response = await agent.RunAsync("What is Bitcoin?", _sessionId);

        var stored = (await Stored()).Single();
        Assert.Multiple(() =>
        {
            Assert.That(stored.TokenCount, Is.EqualTo(ContextBudget.CountTokens(ContextBudget.DefaultTokenizer, stored.ChatMessages)));
            Assert.That(stored.TokenCount, Is.GreaterThan(2 * ContextBudget.TokensPerMessage));
            Assert.That(response.Turn.TokenCount, Is.EqualTo(stored.TokenCount));
        });
    }

    [Test]
    public void CountTokens_FunctionCallsAndResults_CountTheirNamesArgumentsAndResults()
    {
        var tokenizer = ContextBudget.DefaultTokenizer;
        var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_price", new Dictionary<string, object?> { ["symbol"] = "BTC" })]);
        var result = new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "BTC costs 64000 USD")]);

        Assert.Multiple(() =>
        {
            Assert.That(ContextBudget.CountTokens(tokenizer, call), Is.GreaterThan(ContextBudget.TokensPerMessage + 2));
            Assert.That(ContextBudget.CountTokens(tokenizer, result), Is.EqualTo(ContextBudget.TokensPerMessage + tokenizer.CountTokens("BTC costs 64000 USD")));
            Assert.That(ContextBudget.CountTokens(tokenizer, new ChatMessage(ChatRole.User, string.Empty)), Is.EqualTo(ContextBudget.TokensPerMessage));
        });
    }
}
