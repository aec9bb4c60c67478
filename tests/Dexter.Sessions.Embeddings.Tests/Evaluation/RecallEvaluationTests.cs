using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.Tests.Evaluation;

/// <summary>
/// The quality evaluation: recall@k of the turn a follow-up refers to, for the embedding selector over the offline hashing
/// generator and for recency alone, on generated conversations (see <see cref="RecallDataset"/>). The figures are printed
/// to the test output; benchmarks/results/embeddings-recall.md keeps them.
/// </summary>
public class RecallEvaluationTests
{
    private const int Seed = 20261124;
    private const int ConversationCount = 300;

    [Test]
    public void Generate_SameSeed_ReturnsSameConversations()
    {
        var first = RecallDataset.Generate(5, Seed);
        var second = RecallDataset.Generate(5, Seed);

        Assert.Multiple(() =>
        {
            Assert.That(first.Select(c => c.FollowUp), Is.EqualTo(second.Select(c => c.FollowUp)));
            Assert.That(first.SelectMany(c => c.Turns), Is.EqualTo(second.SelectMany(c => c.Turns)));
            Assert.That(first.Select(c => c.Turns.Count), Is.All.InRange(20, 50));
        });
    }

    [TestCase(5)]
    [TestCase(10)]
    public async Task RecallAt_HashingEmbeddingSelector_BeatsRecency(int k)
    {
        using var generator = new HashingEmbeddingGenerator();
        var cases = await RecallEvaluation.EmbedAsync(generator, RecallDataset.Generate(ConversationCount, Seed));

        var embeddingRecall = await RecallEvaluation.RecallAtAsync(new EmbeddingMessageSelector(generator), cases, k);
        var recencyRecall = await RecallEvaluation.RecallAtAsync(RecentMessageSelector.Instance, cases, k);

        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {k} | {ConversationCount} | {embeddingRecall:P1} | {recencyRecall:P1} |"));
        Assert.That(embeddingRecall, Is.GreaterThan(recencyRecall + 0.2));
    }

    [Test]
    public async Task RecallAt_Report_PrintsTheTable()
    {
        using var generator = new HashingEmbeddingGenerator();
        var cases = await RecallEvaluation.EmbedAsync(generator, RecallDataset.Generate(ConversationCount, Seed));
        var report = new StringBuilder();
        report.AppendLine("| k (MaxContextMessages) | conversations | embedding selector + hashing generator (threshold 0.3, default) | same, threshold 0.2 | recency only |");
        report.AppendLine("|---|---|---|---|---|");
        var results = new List<(double Embedding, double Recency)>();
        foreach (var k in new[] { 1, 3, 5, 10 })
        {
            var embeddingRecall = await RecallEvaluation.RecallAtAsync(new EmbeddingMessageSelector(generator), cases, k);
            var lowThresholdRecall = await RecallEvaluation.RecallAtAsync(
                new EmbeddingMessageSelector(generator, Options.Create(new EmbeddingSelectorOptions { SimilarityThreshold = 0.2 })), cases, k);
            var recencyRecall = await RecallEvaluation.RecallAtAsync(RecentMessageSelector.Instance, cases, k);
            results.Add((embeddingRecall, recencyRecall));
            report.AppendLine(CultureInfo.InvariantCulture, $"| {k} | {ConversationCount} | {embeddingRecall:P1} | {lowThresholdRecall:P1} | {recencyRecall:P1} |");
        }

        TestContext.Out.WriteLine(report.ToString());
        Assert.That(results.Select(r => r.Embedding >= r.Recency), Is.All.True);
    }
}
