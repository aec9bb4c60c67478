using Dexter.Sessions.Embeddings.Tests.TestSupport;

namespace Dexter.Sessions.Embeddings.Tests.Ranking;

/// <summary>The quantized scan against the exact one: same turns selected, the threshold applied exactly.</summary>
public class QuantizedRankingTests
{
    private const int Dimensions = 384;
    private const int K = 10;

    [TestCase(0.7f, 0.3f)]
    [TestCase(1f, 0f)]
    public void SelectTop_FixedSeededSet_QuantizedSelectsExactlyTheExactTopTen(float similarityWeight, float recencyWeight)
    {
        var random = new Random(20261125);
        var turns = RandomVectors.Turns(random, 20_000, Dimensions);
        var index = new ScanIndex(quantized: true);
        for (var q = 0; q < 20; q++)
        {
            var query = RandomVectors.Unit(random, Dimensions);

            var exact = RelevanceRanking.SelectTop(query, turns, K, similarityWeight, recencyWeight, -1f);
            var quantized = RelevanceRanking.SelectTop(query, turns, K, similarityWeight, recencyWeight, -1f, index);

            Assert.That(quantized.Select(t => t.Id), Is.EqualTo(exact.Select(t => t.Id)), $"query {q}");
        }
    }

    [Test]
    public void SelectTop_RandomSet_QuantizedRecallAtTenIsAtLeast98Percent()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var turns = RandomVectors.Turns(random, 20_000, Dimensions);
        var index = new ScanIndex(quantized: true);
        var recalls = new List<double>();
        for (var q = 0; q < 50; q++)
        {
            var query = RandomVectors.Unit(random, Dimensions);
            var exact = RelevanceRanking.SelectTop(query, turns, K, 0.7f, 0.3f, -1f);
            var quantized = RelevanceRanking.SelectTop(query, turns, K, 0.7f, 0.3f, -1f, index);
            recalls.Add(RandomVectors.Recall(exact, quantized));
        }

        Assert.That(recalls.Average(), Is.GreaterThanOrEqualTo(0.98), $"seed {seed}");
    }

    [Test]
    public void SelectTop_QueryNearManyTurns_QuantizedSelectsTheExactTopTen()
    {
        // Turns close to the query and to each other: scores within the quantization error of one another.
        var random = new Random(5);
        var query = RandomVectors.Unit(random, Dimensions);
        var turns = Enumerable.Range(1, 2_000).Select(id =>
        {
            var noise = RandomVectors.Unit(random, Dimensions);
            var vector = query.Zip(noise, (a, b) => a + (0.2f * b)).ToArray();
            return Turns.Create(id, "t", UnitVectors.Normalize(vector).ToArray());
        }).ToArray();

        var exact = RelevanceRanking.SelectTop(query, turns, K, 1f, 0f, 0.3f);
        var quantized = RelevanceRanking.SelectTop(query, turns, K, 1f, 0f, 0.3f, new ScanIndex(quantized: true));

        Assert.That(quantized.Select(t => t.Id), Is.EqualTo(exact.Select(t => t.Id)));
    }

    [TestCase(0.3f)]
    [TestCase(0.5f)]
    [TestCase(0.9f)]
    public void SelectTop_TurnsAroundTheThreshold_QuantizedKeepsExactlyTheTurnsAtOrAboveIt(float threshold)
    {
        // Cosines from threshold - 0.002 to threshold + 0.002 in steps of 0.0001, far more turns than the re-scored shortlist,
        // and old turns (low recency) so that only the exact cosine decides which are kept.
        var random = new Random(9);
        var query = RandomVectors.Unit(random, Dimensions);
        var turns = new List<Message>();
        for (var step = -20; step <= 20; step++)
        {
            turns.Add(Turns.Create(turns.Count + 1, "near", AtCosine(query, threshold + (step * 0.0001f), random)));
        }

        while (turns.Count < 500)
        {
            turns.Add(Turns.Create(turns.Count + 1, "far", AtCosine(query, threshold - 0.3f, random)));
        }

        var exact = RelevanceRanking.SelectTop(query, turns, 100, 1f, 0f, threshold);
        var quantized = RelevanceRanking.SelectTop(query, turns, 100, 1f, 0f, threshold, new ScanIndex(quantized: true));

        Assert.Multiple(() =>
        {
            Assert.That(quantized.Select(t => t.Id), Is.EqualTo(exact.Select(t => t.Id)));
            Assert.That(exact.Length, Is.InRange(19, 23));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public void SelectTop_OldVectorsOfAnyLength_SelectTheSameTurnsAsTheirUnitVectors(bool quantized)
    {
        var random = new Random(12);
        var turns = RandomVectors.Turns(random, 5_000, Dimensions);
        var old = RandomVectors.Scaled(random, turns);
        var query = RandomVectors.Unit(random, Dimensions);
        var scaledQuery = query.Select(v => v * 7f).ToArray();

        var fromUnit = RelevanceRanking.SelectTop(query, turns, K, 0.7f, 0.3f, 0.05f, new ScanIndex(quantized));
        var fromOld = RelevanceRanking.SelectTop(scaledQuery, old, K, 0.7f, 0.3f, 0.05f, new ScanIndex(quantized));
        var withoutIndex = RelevanceRanking.SelectTop(scaledQuery, old, K, 0.7f, 0.3f, 0.05f);

        Assert.Multiple(() =>
        {
            Assert.That(fromUnit, Has.Length.EqualTo(K));
            Assert.That(fromOld.Select(t => t.Id), Is.EqualTo(fromUnit.Select(t => t.Id)));
            Assert.That(withoutIndex.Select(t => t.Id), Is.EqualTo(fromUnit.Select(t => t.Id)));
        });
    }

    [Test]
    public void ScoreAll_QuantizedWithTurnsWithoutVector_ReturnsTheirIndicesAndRanksTheOthers()
    {
        var random = new Random(13);
        var turns = RandomVectors.Turns(random, 200, 16);
        turns[3] = turns[3] with { Embedding = ReadOnlyMemory<float>.Empty };
        turns[150] = turns[150] with { Embedding = new float[8] };
        var query = RandomVectors.Unit(random, 16);
        var ranking = new RelevanceRanking(query, 5, turns.Length, 0.7f, 0.3f, -1f);

        var unscored = ranking.ScoreAll(turns, new ScanIndex(quantized: true));

        var expected = RelevanceRanking.SelectTop(query, turns, 5, 0.7f, 0.3f, -1f);
        Assert.Multiple(() =>
        {
            Assert.That(unscored, Is.EqualTo(new[] { 3, 150 }));
            Assert.That(ranking.GetSelected(turns).Select(t => t.Id), Is.EqualTo(expected.Select(t => t.Id)));
        });
    }

    /// <summary>A unit vector at exactly (to float precision) <paramref name="cosine"/> to the unit <paramref name="query"/>.</summary>
    private static float[] AtCosine(float[] query, float cosine, Random random)
    {
        // A random direction orthogonal to the query, then cosine · query + sin · direction.
        var direction = RandomVectors.Unit(random, query.Length);
        var along = query.Zip(direction, (a, b) => a * b).Sum();
        var orthogonal = direction.Zip(query, (d, q) => d - (along * q)).ToArray();
        var unitOrthogonal = UnitVectors.Normalize(orthogonal).ToArray();
        var sine = MathF.Sqrt(1 - (cosine * cosine));
        return query.Zip(unitOrthogonal, (q, o) => (cosine * q) + (sine * o)).ToArray();
    }
}
