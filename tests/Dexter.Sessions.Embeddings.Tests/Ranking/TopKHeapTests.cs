namespace Dexter.Sessions.Embeddings.Tests.Ranking;

public class TopKHeapTests
{
    [Test]
    public void Constructor_CapacityBelowOne_ThrowsArgumentOutOfRangeException()
    {
        Assert.That(() => new TopKHeap(0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [TestCase(1, 1)]
    [TestCase(3, 2)]
    [TestCase(10, 1000)]
    [TestCase(64, 5000)]
    public void Offer_RandomScores_KeepsTheSameIndicesAsAFullSort(int k, int n)
    {
        var random = new Random(42 + n);
        // Few distinct values, so ties are frequent: the later index must win them.
        var scores = Enumerable.Range(0, n).Select(_ => random.Next(20) / 20f).ToArray();
        var heap = new TopKHeap(k);
        for (var i = 0; i < n; i++)
        {
            heap.Offer(scores[i], i);
        }

        var kept = new int[heap.Count];
        heap.CopySortedIndicesTo(kept);

        var expected = Enumerable.Range(0, n).OrderByDescending(i => scores[i]).ThenByDescending(i => i).Take(k).Order().ToArray();
        Assert.That(kept, Is.EqualTo(expected));
    }

    [Test]
    public void Offer_FewerThanCapacity_KeepsAllInIndexOrder()
    {
        var heap = new TopKHeap(5);
        heap.Offer(0.2f, 7);
        heap.Offer(0.9f, 3);

        var kept = new int[heap.Count];
        heap.CopySortedIndicesTo(kept);

        Assert.That(kept, Is.EqualTo(new[] { 3, 7 }));
    }
}
