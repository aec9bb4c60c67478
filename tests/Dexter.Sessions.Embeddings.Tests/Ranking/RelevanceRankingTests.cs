using Dexter.Sessions.Embeddings.Tests.TestSupport;

namespace Dexter.Sessions.Embeddings.Tests.Ranking;

public class RelevanceRankingTests
{
    [Test]
    public void SelectTop_VectorOfOtherLength_IsSkipped()
    {
        var turns = new[] { Turns.Create(1, "a", [1f, 0f]), Turns.Create(2, "b", Turns.Axis(0)) };

        var selected = RelevanceRanking.SelectTop(Turns.Axis(0), turns, 2, 0.7f, 0.3f, 0.3f);

        Assert.That(selected.Select(t => t.Id), Is.EqualTo(new[] { 2 }));
    }

    [Test]
    public void SelectTop_ZeroVector_IsSkipped()
    {
        var turns = new[] { Turns.Create(1, "a", new float[4]), Turns.Create(2, "b", Turns.Axis(0)) };

        var selected = RelevanceRanking.SelectTop(Turns.Axis(0), turns, 2, 0.7f, 0.3f, -1f);

        Assert.That(selected.Select(t => t.Id), Is.EqualTo(new[] { 2 }));
    }

    [Test]
    public void ScoreAll_TurnsWithoutVectorOrOfOtherLength_ReturnsTheirIndices()
    {
        var turns = new[] { Turns.Create(1, "a"), Turns.Create(2, "b", Turns.Axis(0)), Turns.Create(3, "c", [1f, 0f]) };
        var ranking = new RelevanceRanking(Turns.Axis(0), 2, turns.Length, 0.7f, 0.3f, 0.3f);

        var unscored = ranking.ScoreAll(turns);

        Assert.That(unscored, Is.EqualTo(new[] { 0, 2 }));
    }

    [Test]
    public void Score_LateTurnAfterScoreAll_IsRankedByItsIndex()
    {
        var turns = new[] { Turns.Create(1, "a"), Turns.Create(2, "b", Turns.AtCosine(0.5f)), Turns.Create(3, "c", Turns.AtCosine(0.5f)) };
        var ranking = new RelevanceRanking(Turns.Axis(0), 2, turns.Length, 1f, 0f, 0.3f);
        ranking.ScoreAll(turns);

        ranking.Score(Turns.Axis(0), 0);

        Assert.That(ranking.GetSelected(turns).Select(t => t.Id), Is.EqualTo(new[] { 1, 3 }));
    }

    [Test]
    public void GetSelectedBestFirst_OrdersByScoreThenRecency()
    {
        var turns = new[]
        {
            Turns.Create(1, "a", Turns.AtCosine(0.9f)), Turns.Create(2, "b", Turns.AtCosine(0.4f)),
            Turns.Create(3, "c", Turns.AtCosine(0.6f)), Turns.Create(4, "d", Turns.AtCosine(0.6f)),
        };
        var ranking = new RelevanceRanking(Turns.Axis(0), 3, turns.Length, 1f, 0f, 0.3f);
        ranking.ScoreAll(turns);

        Assert.Multiple(() =>
        {
            Assert.That(ranking.GetSelectedBestFirst(turns).Select(t => t.Id), Is.EqualTo(new[] { 1, 4, 3 }));
            Assert.That(ranking.GetSelected(turns).Select(t => t.Id), Is.EqualTo(new[] { 1, 3, 4 }));
        });
    }

    [Test]
    public void SelectTop_UnnormalizedVectors_ComparesByCosine()
    {
        var turns = new[] { Turns.Create(1, "a", [10f, 0f, 0f, 0f]), Turns.Create(2, "b", [0.1f, 0.1f, 0f, 0f]) };

        var selected = RelevanceRanking.SelectTop(new float[] { 3f, 0f, 0f, 0f }, turns, 1, 1f, 0f, 0.3f);

        Assert.That(selected.Select(t => t.Id), Is.EqualTo(new[] { 1 }));
    }
}
