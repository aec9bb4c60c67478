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
    public void SelectTop_UnnormalizedVectors_ComparesByCosine()
    {
        var turns = new[] { Turns.Create(1, "a", [10f, 0f, 0f, 0f]), Turns.Create(2, "b", [0.1f, 0.1f, 0f, 0f]) };

        var selected = RelevanceRanking.SelectTop([3f, 0f, 0f, 0f], turns, 1, 1f, 0f, 0.3f);

        Assert.That(selected.Select(t => t.Id), Is.EqualTo(new[] { 1 }));
    }
}
