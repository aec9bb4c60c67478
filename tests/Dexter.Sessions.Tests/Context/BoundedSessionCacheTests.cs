namespace Dexter.Sessions.Tests.Context;

/// <summary>The bounded per-session state behind the turn cache and the lexical indexes.</summary>
public sealed class BoundedSessionCacheTests
{
    [Test]
    public void Set_WithinTheBound_KeepsEveryEntryAndTheirWeight()
    {
        var cache = new BoundedSessionCache<string>(10);

        cache.Set("a", "A", 4);
        cache.Set("b", "B", 6);

        Assert.Multiple(() =>
        {
            Assert.That(cache.Get("a"), Is.EqualTo("A"));
            Assert.That(cache.Get("b"), Is.EqualTo("B"));
            Assert.That(cache.Count, Is.EqualTo(2));
            Assert.That(cache.TotalWeight, Is.EqualTo(10));
        });
    }

    [Test]
    public void Set_OverTheBound_EvictsTheLeastRecentlyUsedUntilItFits()
    {
        var cache = new BoundedSessionCache<string>(10);
        cache.Set("a", "A", 3);
        cache.Set("b", "B", 3);
        cache.Set("c", "C", 3);
        cache.Get("a"); // b is now the least recently used

        cache.Set("d", "D", 4);

        Assert.Multiple(() =>
        {
            Assert.That(cache.Get("b"), Is.Null);
            Assert.That(cache.Get("a"), Is.EqualTo("A"));
            Assert.That(cache.Get("c"), Is.EqualTo("C"));
            Assert.That(cache.Get("d"), Is.EqualTo("D"));
            Assert.That(cache.TotalWeight, Is.EqualTo(10));
        });
    }

    [Test]
    public void Set_FarOverTheBound_EvictsAsManyAsNeededOldestFirst()
    {
        var cache = new BoundedSessionCache<string>(10);
        cache.Set("a", "A", 3);
        cache.Set("b", "B", 3);
        cache.Set("c", "C", 3);

        cache.Set("d", "D", 8);

        Assert.Multiple(() =>
        {
            Assert.That(cache.Get("a"), Is.Null);
            Assert.That(cache.Get("b"), Is.Null);
            Assert.That(cache.Get("c"), Is.Null);
            Assert.That(cache.Get("d"), Is.EqualTo("D"));
            Assert.That(cache.TotalWeight, Is.EqualTo(8));
        });
    }

    [Test]
    public void Set_EntryHeavierThanTheBound_IsNotKeptAndReplacesNothingElse()
    {
        var cache = new BoundedSessionCache<string>(10);
        cache.Set("a", "A", 3);
        cache.Set("b", "B1", 3);

        cache.Set("b", "B2", 11);

        Assert.Multiple(() =>
        {
            Assert.That(cache.Get("b"), Is.Null, "the old value of b is dropped too");
            Assert.That(cache.Get("a"), Is.EqualTo("A"));
            Assert.That(cache.TotalWeight, Is.EqualTo(3));
        });
    }

    [Test]
    public void Set_SameSessionAgain_ReplacesItsWeight()
    {
        var cache = new BoundedSessionCache<string>(10);
        cache.Set("a", "A1", 3);

        cache.Set("a", "A2", 5);

        Assert.Multiple(() =>
        {
            Assert.That(cache.Get("a"), Is.EqualTo("A2"));
            Assert.That(cache.TotalWeight, Is.EqualTo(5));
            Assert.That(cache.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public void UpdateWeight_HeldValue_UpdatesTheWeightAndEvictsOthersOverTheBound()
    {
        var cache = new BoundedSessionCache<string>(10);
        const string a = "A";
        cache.Set("a", a, 3);
        cache.Set("b", "B", 3);

        cache.UpdateWeight("a", a, 8);

        Assert.Multiple(() =>
        {
            Assert.That(cache.TotalWeight, Is.EqualTo(8));
            Assert.That(cache.Get("b"), Is.Null);
            Assert.That(cache.Get("a"), Is.SameAs(a));
        });
    }

    [Test]
    public void UpdateWeight_ValueWasReplaced_IsIgnored()
    {
        var cache = new BoundedSessionCache<object>(10);
        var first = new object();
        var second = new object();
        cache.Set("a", first, 3);
        cache.Set("a", second, 4);

        cache.UpdateWeight("a", first, 9);

        Assert.Multiple(() =>
        {
            Assert.That(cache.TotalWeight, Is.EqualTo(4));
            Assert.That(cache.Get("a"), Is.SameAs(second));
        });
    }

    [Test]
    public void UpdateWeight_SessionNotHeld_AddsNothing()
    {
        var cache = new BoundedSessionCache<object>(10);

        cache.UpdateWeight("a", new object(), 3);

        Assert.Multiple(() =>
        {
            Assert.That(cache.Count, Is.Zero);
            Assert.That(cache.TotalWeight, Is.Zero);
        });
    }

    [Test]
    public void Remove_DropsTheEntryAndItsWeight()
    {
        var cache = new BoundedSessionCache<string>(10);
        cache.Set("a", "A", 3);
        cache.Set("b", "B", 4);

        cache.Remove("a");
        cache.Remove("unknown");

        Assert.Multiple(() =>
        {
            Assert.That(cache.Get("a"), Is.Null);
            Assert.That(cache.TotalWeight, Is.EqualTo(4));
            Assert.That(cache.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public void Constructor_NegativeBound_Throws()
    {
        Assert.That(() => new BoundedSessionCache<string>(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
