using System.Numerics.Tensors;
using Dexter.Sessions.Embeddings.Tests.TestSupport;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.Tests;

/// <summary>Unit vectors, vectors stored before normalization, and the quantized scan, through the selector.</summary>
public class EmbeddingMessageSelectorScanTests
{
    private const string Query = "the query";
    private const int Dimensions = 64;

    // Random 64-dimension vectors have cosines of about ±0.125 to the query: enough of them reach 0.1 for every test.
    private const float Threshold = 0.1f;

    private FakeEmbeddingGenerator _generator = null!;
    private CollectingLogger<EmbeddingMessageSelector> _logger = null!;
    private float[] _query = null!;

    [SetUp]
    public void SetUp()
    {
        _query = RandomVectors.Unit(new Random(1), Dimensions);
        _generator = new FakeEmbeddingGenerator { OnEmbed = text => text == Query ? _query : RandomVectors.Unit(new Random(text.Length), Dimensions) };
        _logger = new CollectingLogger<EmbeddingMessageSelector>();
    }

    [TearDown]
    public void TearDown() => _generator.Dispose();

    [Test]
    public void UseQuantizedScan_Default_IsFalse()
    {
        Assert.That(new EmbeddingSelectorOptions().UseQuantizedScan, Is.False);
    }

    [Test]
    public async Task PrepareTurnAsync_GeneratorReturnsVectorOfOtherLength_StoresUnitVector()
    {
        _generator.OnEmbed = _ => [3f, 0f, 4f, 0f];

        var prepared = await CreateSelector().PrepareTurnAsync(new Message { Query = "q", Answer = "a" });

        Assert.That(prepared.Embedding.ToArray(), Is.EqualTo(new[] { 0.6f, 0f, 0.8f, 0f }).Within(1e-6f));
    }

    [Test]
    public async Task SelectAsync_TurnsWithoutVector_StoresUnitVectors()
    {
        _generator.OnEmbed = text => text == Query ? [1f, 0f, 0f, 0f] : [2f, 2f, 0f, 1f];
        var turns = Enumerable.Range(1, 4).Select(id => Turns.Create(id, "summary " + id)).ToArray();

        var selection = await CreateSelector().SelectAsync(new MessageSelectionContext(Query, turns, 2));

        Assert.That(
            selection.UpdatedTurns.Select(t => t.Embedding.ToArray()),
            Is.All.EqualTo(new[] { 2f / 3, 2f / 3, 0f, 1f / 3 }).Within(1e-6f));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task SelectAsync_VectorsStoredBeforeNormalization_SelectsAsWithUnitVectors(bool quantized)
    {
        var random = new Random(2);
        var turns = RandomVectors.Turns(random, 1_000, Dimensions);
        var old = RandomVectors.Scaled(random, turns);

        var fromUnit = await CreateSelector(o => o.UseQuantizedScan = quantized).SelectAsync(new MessageSelectionContext(Query, turns, 5));
        var fromOld = await CreateSelector(o => o.UseQuantizedScan = quantized).SelectAsync(new MessageSelectionContext(Query, old, 5));

        Assert.Multiple(() =>
        {
            Assert.That(fromUnit.Turns.Select(t => t.Id), Is.EqualTo(ExactTop(turns, 5)));
            Assert.That(fromOld.Turns.Select(t => t.Id), Is.EqualTo(fromUnit.Turns.Select(t => t.Id)));
            Assert.That(fromOld.UpdatedTurns, Is.Empty);
        });
    }

    [Test]
    public async Task SelectAsync_QuantizedScanOverThousandsOfTurns_SelectsTheExactRanking()
    {
        var turns = RandomVectors.Turns(new Random(3), 5_000, Dimensions);
        var selector = CreateSelector(o =>
        {
            o.UseQuantizedScan = true;
            o.MaxCandidates = 5_000;
        });

        var selection = await selector.SelectAsync(new MessageSelectionContext(Query, turns, 10) { SessionId = "s" });

        Assert.That(selection.Turns.Select(t => t.Id), Is.EqualTo(ExactTop(turns, 10)));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task SelectAsync_AfterOneNewTurn_ComputesOnlyTheNewTurnsRow(bool quantized)
    {
        var turns = RandomVectors.Turns(new Random(4), 301, Dimensions);
        var selector = CreateSelector(o =>
        {
            o.UseQuantizedScan = quantized;
            o.MaxCandidates = 300;
        });
        await selector.SelectAsync(new MessageSelectionContext(Query, turns[..300], 5) { SessionId = "s" });

        var selection = await selector.SelectAsync(new MessageSelectionContext(Query, turns, 5) { SessionId = "s" });

        var computed = _logger.Entries.Where(e => e.EventId.Id == 750).Select(e => e.Message).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(computed, Has.Length.EqualTo(2));
            Assert.That(computed[0], Does.StartWith("Computed the norms of 300 of 300 turn vectors of session s"));
            Assert.That(computed[1], Does.StartWith("Computed the norms of 1 of 300 turn vectors of session s"));
            Assert.That(selection.Turns.Select(t => t.Id), Is.EqualTo(ExactTop(turns[1..], 5)));
        });
    }

    [Test]
    public async Task SelectAsync_SessionsQueriedInTurn_EachSelectsFromItsOwnTurns()
    {
        var selector = CreateSelector(o => o.UseQuantizedScan = true);
        var first = RandomVectors.Turns(new Random(5), 200, Dimensions);
        var second = RandomVectors.Turns(new Random(6), 200, Dimensions);

        for (var round = 0; round < 3; round++)
        {
            var a = await selector.SelectAsync(new MessageSelectionContext(Query, first, 5) { SessionId = "a" });
            var b = await selector.SelectAsync(new MessageSelectionContext(Query, second, 5) { SessionId = "b" });
            var none = await selector.SelectAsync(new MessageSelectionContext(Query, second, 5));

            Assert.Multiple(() =>
            {
                Assert.That(a.Turns, Is.EqualTo(ExactTop(first, 5).Select(id => first[id - 1])));
                Assert.That(b.Turns, Is.EqualTo(ExactTop(second, 5).Select(id => second[id - 1])));
                Assert.That(none.Turns, Is.EqualTo(b.Turns));
            });
        }
    }

    [Test]
    public async Task SelectAsync_MoreSessionsThanTheCacheKeeps_EachSelectsFromItsOwnTurns()
    {
        var selector = CreateSelector(o => o.UseQuantizedScan = true);
        var sessions = Enumerable.Range(0, ScanIndexCache.Capacity + 4).Select(s => RandomVectors.Turns(new Random(100 + s), 100, Dimensions)).ToArray();

        for (var round = 0; round < 2; round++)
        {
            for (var s = 0; s < sessions.Length; s++)
            {
                var selection = await selector.SelectAsync(new MessageSelectionContext(Query, sessions[s], 3) { SessionId = "session " + s });

                Assert.That(selection.Turns, Is.EqualTo(ExactTop(sessions[s], 3).Select(id => sessions[s][id - 1])), $"session {s}, round {round}");
            }
        }
    }

    /// <summary>The ids the selection rule selects, computed independently: cosine by norms, weights 0.7 and 0.3, chronological order.</summary>
    private int[] ExactTop(IReadOnlyList<Message> turns, int count) =>
        turns
            .Select((turn, i) => (turn.Id, Cosine: TensorPrimitives.CosineSimilarity(_query, turn.Embedding.Span), Recency: (float)i / (turns.Count - 1)))
            .Where(t => t.Cosine >= Threshold)
            .OrderByDescending(t => (0.7f * t.Cosine) + (0.3f * t.Recency))
            .Take(count)
            .Select(t => t.Id)
            .Order()
            .ToArray();

    private EmbeddingMessageSelector CreateSelector(Action<EmbeddingSelectorOptions>? configure = null)
    {
        var options = new EmbeddingSelectorOptions { SimilarityThreshold = Threshold };
        configure?.Invoke(options);
        return new EmbeddingMessageSelector(_generator, Options.Create(options), logger: _logger);
    }
}
