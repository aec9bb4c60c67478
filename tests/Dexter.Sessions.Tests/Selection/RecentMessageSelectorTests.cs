namespace Dexter.Sessions.Tests.Selection;

public sealed class RecentMessageSelectorTests
{
    private static Message[] Turns(int count) =>
        Enumerable.Range(1, count).Select(i => new Message { Id = i, Query = "q" + i, Answer = "a" + i }).ToArray();

    [Test]
    public async Task SelectAsync_MoreTurnsThanTheLimit_ReturnsTheLatestInOrder()
    {
        var selected = (await RecentMessageSelector.Instance.SelectAsync(new MessageSelectionContext("q", Turns(15), 10))).Turns;

        Assert.That(selected.Select(m => m.Id), Is.EqualTo(Enumerable.Range(6, 10)));
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(10)]
    public async Task SelectAsync_AtMostTheLimit_ReturnsEveryTurn(int count)
    {
        var turns = Turns(count);

        var selected = (await RecentMessageSelector.Instance.SelectAsync(new MessageSelectionContext("q", turns, 10))).Turns;

        Assert.That(selected, Is.EqualTo(turns));
    }

    [Test]
    public void SelectAsync_NullContext_Throws()
    {
        Assert.That(async () => await RecentMessageSelector.Instance.SelectAsync(null!),
            Throws.ArgumentNullException.With.Property("ParamName").EqualTo("context"));
    }

    [Test]
    public void DefaultInterfaceMembers_ReadTheLimit_AndLeaveTheTurnUnchanged()
    {
        IMessageSelector selector = RecentMessageSelector.Instance;
        var turn = new Message { Query = "q", Answer = "a" };

        Assert.Multiple(async () =>
        {
            Assert.That(selector.GetCandidateCount(7), Is.EqualTo(7));
            Assert.That(await selector.PrepareTurnAsync(turn), Is.SameAs(turn));
        });
    }

    [Test]
    public void TakeLast_ReturnsTheLastTurnsInOrder()
    {
        Assert.That(RecentMessageSelector.TakeLast(Turns(5), 2).Select(m => m.Id), Is.EqualTo(new[] { 4, 5 }));
    }

    [Test]
    public void TakeLast_Zero_ReturnsEmpty()
    {
        Assert.That(RecentMessageSelector.TakeLast(Turns(5), 0), Is.Empty);
    }

    [Test]
    public void TakeLast_CountAtLeastTheTurns_ReturnsThemAll()
    {
        var turns = Turns(3);

        Assert.That(RecentMessageSelector.TakeLast(turns, 3), Is.EqualTo(turns));
    }

    [Test]
    public void TakeLast_BadArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => RecentMessageSelector.TakeLast(null!, 1), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("turns"));
            Assert.That(() => RecentMessageSelector.TakeLast(Turns(2), -1),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("count"));
        });
    }
}
