using System.Diagnostics;
using Dexter.Sessions.Embeddings.MiniLM;
using Dexter.Sessions.Evaluation.Tests.Conversations;
using Microsoft.Extensions.DependencyInjection;
using static Dexter.Sessions.Evaluation.Tests.Retrieval.RetrievalConfigurations;

namespace Dexter.Sessions.Evaluation.Tests.Retrieval;

/// <summary>
/// The retrieval evaluation: every configuration of <see cref="RetrievalConfigurations"/> at every budget over the generated
/// conversations. The table is printed to the test output; benchmarks/results/retrieval.md keeps it.
/// </summary>
public class RetrievalEvaluationTests
{
    /// <summary>What holds today: the configuration on the left serves at least as many questions as the one on the right.</summary>
    private static readonly (string Better, string Worse, int Budget)[] Rankings =
    [
        (Bm25Alone, RecencyLast10, 2_000),
        (VectorsMiniLM, VectorsHashing, 2_000),
        (SdkDefaultsNoSummary, Bm25Alone, 1_000),
        (SdkDefaultsNoSummary, Bm25Alone, 2_000),
        (SdkDefaultsNoSummary, Bm25Alone, 4_000),
        (DefaultsMiniLM, Bm25Alone, 1_000),
        (DefaultsMiniLM, Bm25Alone, 2_000),
        (DefaultsMiniLM, Bm25Alone, 4_000),
        (DefaultsMiniLM, VectorsMiniLM, 2_000),
        (DefaultsMiniLM, SdkDefaults, 2_000),
        (SdkDefaults, RecencyLast10, 2_000),
    ];

    [Test]
    public async Task EveryConfiguration_AtEveryBudget_StaysWithinTheBudgetAndRanksAsExpected()
    {
        var conversations = EvaluatedConversations.Generate();
        var watch = Stopwatch.StartNew();
        using var miniLM = new TurnVectorCache(new MiniLMEmbeddingGenerator());

        // The texts MiniLM configurations embed while recording, in batches: each turn's query (to select its context) and its
        // summary (stored with it). A text missed here is embedded when asked for, and only takes longer.
        await miniLM.PrimeAsync(conversations.SelectMany(c => c.Turns).SelectMany(t => new[] { t.User, t.Answer, TruncatingSummarizer.Summarize(t.User, t.Answer) }));
        var primed = watch.Elapsed;
        var results = new List<RetrievalResult>();
        foreach (var configuration in All(miniLM))
        {
            results.AddRange(await RetrievalEvaluation.RunAsync(configuration, RetrievalEvaluation.Budgets, conversations, miniLM));
        }

        TestContext.Out.WriteLine(RetrievalReport.Format(results, conversations));
        TestContext.Out.WriteLine($"{watch.Elapsed.TotalSeconds:0.0} s, of which {primed.TotalSeconds:0.0} s embedding the turns with MiniLM; MiniLM embedded {miniLM.ModelCalls:N0} texts.");
        Assert.Multiple(() =>
        {
            foreach (var result in results)
            {
                Assert.That(result.MaxTokens, Is.LessThanOrEqualTo(result.Budget), $"{result.Configuration} at {result.Budget:N0} tokens");
            }

            foreach (var (better, worse, budget) in Rankings)
            {
                Assert.That(Served(results, better, budget), Is.GreaterThanOrEqualTo(Served(results, worse, budget)), $"{better} ≥ {worse} at {budget:N0} tokens");
            }
        });
    }

    [Test]
    public async Task RunAsync_TurnsReplayedAsMessages_FindsTheEvidenceFoundInTheTextMessage()
    {
        var conversations = ConversationGenerator.Generate(1, EvaluatedConversations.Seed, minTurns: 150, maxTurns: 150);
        RetrievalConfiguration Recency(SessionContextMode mode) => new(mode.ToString(), services =>
            services.AddSingleton<IMessageSelector>(RecentMessageSelector.Instance).AddDexterSessions(o => o.ContextMode = mode));

        var text = (await RetrievalEvaluation.RunAsync(Recency(SessionContextMode.Text), [4_000], conversations)).Single();
        var replayed = (await RetrievalEvaluation.RunAsync(Recency(SessionContextMode.Messages), [4_000], conversations)).Single();

        Assert.Multiple(() =>
        {
            Assert.That(text.Outcomes.Count(o => o.Served), Is.GreaterThan(0));
            Assert.That(replayed.Outcomes.Select(o => o.Served), Is.EqualTo(text.Outcomes.Select(o => o.Served)));
            Assert.That(replayed.Outcomes.Select(o => o.ContextTurns), Is.EqualTo(text.Outcomes.Select(o => o.ContextTurns)));
        });
    }

    private static double Served(IEnumerable<RetrievalResult> results, string configuration, int budget) =>
        results.Single(r => r.Configuration == configuration && r.Budget == budget).Served;
}
