using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Tests.History;

public sealed class MessageHistoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static MessageHistory WithTurns(int count, int max = 10)
    {
        var history = new MessageHistory { MaxContextMessages = max };
        for (var i = 1; i <= count; i++)
        {
            history.AddTurn("q" + i, "a" + i, "s" + i);
        }

        return history;
    }

    [Test]
    public void AddTurn_AssignsIdsFromOneAndTimestampsFromTheClock()
    {
        var clock = new FakeTimeProvider(Start);
        var history = new MessageHistory(clock);

        var first = history.AddTurn("What is Bitcoin?", "A digital currency.", "Bitcoin defined");
        clock.Advance(TimeSpan.FromSeconds(5));
        var second = history.AddTurn("Why is it valuable?", "Scarcity.");

        Assert.Multiple(() =>
        {
            Assert.That(first.Id, Is.EqualTo(1));
            Assert.That(second.Id, Is.EqualTo(2));
            Assert.That(first.CreatedAt, Is.EqualTo(Start));
            Assert.That(second.CreatedAt, Is.EqualTo(Start.AddSeconds(5)));
            Assert.That(first.Query, Is.EqualTo("What is Bitcoin?"));
            Assert.That(first.Answer, Is.EqualTo("A digital currency."));
            Assert.That(first.Summary, Is.EqualTo("Bitcoin defined"));
            Assert.That(second.Summary, Is.Empty);
            Assert.That(history.Count, Is.EqualTo(2));
            Assert.That(history.GetAll(), Is.EqualTo(new[] { first, second }));
        });
    }

    [Test]
    public void AddTurn_NullArgument_ThrowsNamingIt()
    {
        var history = new MessageHistory();

        Assert.Multiple(() =>
        {
            Assert.That(() => history.AddTurn(null!, "a"), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("query"));
            Assert.That(() => history.AddTurn("q", null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("answer"));
            Assert.That(() => history.AddTurn("q", "a", null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("summary"));
            Assert.That(history.Count, Is.Zero);
        });
    }

    [Test]
    public void Add_IgnoresTheMessagesOwnId_AndContinuesAfterTheLastId()
    {
        var history = new MessageHistory(
        [
            new Message { Id = 3, Query = "q3", Answer = "a3" },
            new Message { Id = 4, Query = "q4", Answer = "a4" },
        ]);

        var added = history.Add(new Message { Id = 99, Query = "q", Answer = "a", Summary = "s" });

        Assert.Multiple(() =>
        {
            Assert.That(added.Id, Is.EqualTo(5));
            Assert.That(added.Summary, Is.EqualTo("s"));
            Assert.That(history.Last(), Is.EqualTo(added));
            Assert.That(() => history.Add(null!), Throws.ArgumentNullException);
        });
    }

    [Test]
    public void Constructor_WithMessages_KeepsThemAndTheirIds()
    {
        var messages = new[] { new Message { Id = 7, Query = "q", Answer = "a" } };

        var history = new MessageHistory(messages);

        Assert.Multiple(() =>
        {
            Assert.That(history.Count, Is.EqualTo(1));
            Assert.That(history.GetById(7), Is.SameAs(messages[0]));
        });
    }

    [Test]
    public void Constructor_NullMessages_ThrowsNamingThem()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new MessageHistory((IEnumerable<Message>)null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("messages"));
            Assert.That(() => new MessageHistory([new Message { Query = "q", Answer = "a" }, null!]),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("messages"));
        });
    }

    [Test]
    public void GetAll_ReturnsASnapshotThatLaterChangesDoNotAffect()
    {
        var history = WithTurns(2);

        var snapshot = history.GetAll();
        history.AddTurn("q3", "a3");
        history.Clear();

        Assert.That(snapshot.Select(m => m.Id), Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public void GetAll_Empty_ReturnsEmpty()
    {
        Assert.That(new MessageHistory().GetAll(), Is.Empty);
    }

    [Test]
    public void GetById_KnownId_ReturnsThatTurn()
    {
        var history = WithTurns(3);

        Assert.Multiple(() =>
        {
            Assert.That(history.GetById(1)!.Query, Is.EqualTo("q1"));
            Assert.That(history.GetById(3)!.Query, Is.EqualTo("q3"));
        });
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(4)]
    [TestCase(int.MaxValue)]
    public void GetById_UnknownId_ReturnsNull(int id)
    {
        Assert.That(WithTurns(3).GetById(id), Is.Null);
    }

    [Test]
    public void GetById_IdsNotMatchingPositions_FindsTheTurnById()
    {
        var history = new MessageHistory(
        [
            new Message { Id = 2, Query = "second", Answer = "a" },
            new Message { Id = 5, Query = "fifth", Answer = "a" },
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(history.GetById(2)!.Query, Is.EqualTo("second"));
            Assert.That(history.GetById(5)!.Query, Is.EqualTo("fifth"));
            Assert.That(history.GetById(1), Is.Null);
        });
    }

    [Test]
    public void Last_Empty_ReturnsNull()
    {
        Assert.That(new MessageHistory().Last(), Is.Null);
    }

    [Test]
    public void Last_WithTurns_ReturnsTheLatest()
    {
        Assert.That(WithTurns(3).Last()!.Query, Is.EqualTo("q3"));
    }

    [Test]
    public void Clear_RemovesEveryTurn_AndIdsStartAgainAtOne()
    {
        var history = WithTurns(3);

        history.Clear();
        var next = history.AddTurn("q", "a");

        Assert.Multiple(() =>
        {
            Assert.That(history.Count, Is.EqualTo(1));
            Assert.That(next.Id, Is.EqualTo(1));
        });
    }

    [Test]
    public void MaxContextMessages_DefaultsToTen_AndRejectsLessThanOne()
    {
        var history = new MessageHistory();

        Assert.Multiple(() =>
        {
            Assert.That(history.MaxContextMessages, Is.EqualTo(10));
            Assert.That(() => history.MaxContextMessages = 0, Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => history.MaxContextMessages = -3, Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(history.MaxContextMessages, Is.EqualTo(10));
        });
    }

#pragma warning disable CS0618 // the history's former selector role is kept for one version, and must keep working until then
    [Test]
    public async Task SelectRelevantMessagesAsync_DefaultSelectorWithMoreTurnsThanTheLimit_ReturnsTheLatestTenInOrder()
    {
        var history = WithTurns(12);

        var selected = await history.SelectRelevantMessagesAsync("next question");

        Assert.That(selected.Select(m => m.Id), Is.EqualTo(Enumerable.Range(3, 10)));
    }

    [Test]
    public async Task SelectRelevantMessagesAsync_FewerTurnsThanTheLimit_ReturnsAll()
    {
        var selected = await WithTurns(4).SelectRelevantMessagesAsync("next");

        Assert.That(selected.Select(m => m.Id), Is.EqualTo(new[] { 1, 2, 3, 4 }));
    }

    [Test]
    public async Task SelectRelevantMessagesAsync_MaxContextMessagesSet_ReturnsThatMany()
    {
        var selected = await WithTurns(12, max: 3).SelectRelevantMessagesAsync("next");

        Assert.That(selected.Select(m => m.Id), Is.EqualTo(new[] { 10, 11, 12 }));
    }

    [Test]
    public async Task SelectRelevantMessagesAsync_Empty_ReturnsEmpty()
    {
        Assert.That(await new MessageHistory().SelectRelevantMessagesAsync("q"), Is.Empty);
    }

    [Test]
    public async Task SelectRelevantMessagesAsync_CustomSelector_GetsQueryTurnsAndLimit_AndItsAnswerIsReturned()
    {
        var selector = new RecordingSelector { OnSelect = c => [c.Turns[0]] };
        var history = new MessageHistory(selector) { MaxContextMessages = 4 };
        history.AddTurn("q1", "a1");
        history.AddTurn("q2", "a2");

        var selected = await history.SelectRelevantMessagesAsync("the query");

        var context = selector.Contexts.Single();
        Assert.Multiple(() =>
        {
            Assert.That(selected.Select(m => m.Query), Is.EqualTo(new[] { "q1" }));
            Assert.That(context.Query, Is.EqualTo("the query"));
            Assert.That(context.MaxMessages, Is.EqualTo(4));
            Assert.That(context.Turns.Select(m => m.Query), Is.EqualTo(new[] { "q1", "q2" }));
        });
    }

    [Test]
    public async Task SelectRelevantMessagesAsync_PassesTheCancellationToken()
    {
        using var cts = new CancellationTokenSource();
        CancellationToken seen = default;
        var selector = new Moq.Mock<IMessageSelector>();
        selector.Setup(s => s.SelectAsync(Moq.It.IsAny<MessageSelectionContext>(), Moq.It.IsAny<CancellationToken>()))
            .Callback<MessageSelectionContext, CancellationToken>((_, token) => seen = token)
            .Returns(new ValueTask<MessageSelection>(new MessageSelection([])));
        var history = new MessageHistory(selector.Object);
        history.AddTurn("q", "a");

        await history.SelectRelevantMessagesAsync("next", cts.Token);

        Assert.That(seen, Is.EqualTo(cts.Token));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("  ")]
    public void SelectRelevantMessagesAsync_NoQuery_ThrowsNamingIt(string? query)
    {
        Assert.That(() => WithTurns(1).SelectRelevantMessagesAsync(query!),
            Throws.InstanceOf<ArgumentException>().With.Property("ParamName").EqualTo("currentQuery"));
    }
#pragma warning restore CS0618

    [Test]
    public void FormerNames_ForwardToTheNewOnes()
    {
#pragma warning disable CS0618 // the former names are kept for one version, and must keep working until then
        var history = new MessageHistory();
        var added = history.AddAgentMessage("q1", "a1", "s1");

        Assert.Multiple(() =>
        {
            Assert.That(added, Is.EqualTo(history.GetById(1)));
            Assert.That(added.Summary, Is.EqualTo("s1"));
            Assert.That(history.FormatForPlanning(), Is.EqualTo(TextContextFormat.Format(history.GetAll())).And.Not.Empty);
            Assert.That(MessageHistory.FormatForPlanning(history.GetAll()), Is.EqualTo(TextContextFormat.Format(history.GetAll())));
            Assert.That(MessageHistory.PlanningHeader, Is.EqualTo(TextContextFormat.Header));
            Assert.That(MessageHistory.PlanningAnswerLength, Is.EqualTo(TextContextFormat.AnswerLength));
        });
#pragma warning restore CS0618
    }

    [Test]
    public void ToChatMessages_GivesAUserAndAnAssistantMessagePerTurn_InOrder()
    {
        var clock = new FakeTimeProvider(Start);
        var history = new MessageHistory(clock);
        history.AddTurn("q1", "a1");
        clock.Advance(TimeSpan.FromMinutes(1));
        history.AddTurn("q2", "a2");

        var messages = history.ToChatMessages();

        Assert.Multiple(() =>
        {
            Assert.That(messages.Select(m => m.Role), Is.EqualTo(new[] { ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant }));
            Assert.That(messages.Select(m => m.Text), Is.EqualTo(new[] { "q1", "a1", "q2", "a2" }));
            Assert.That(messages[2].CreatedAt, Is.EqualTo(Start.AddMinutes(1)));
        });
    }

    [Test]
    public void ToChatMessages_Empty_ReturnsEmpty_AndNullThrows()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new MessageHistory().ToChatMessages(), Is.Empty);
            Assert.That(() => MessageHistory.ToChatMessages(null!), Throws.ArgumentNullException);
        });
    }
}
