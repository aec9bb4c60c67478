using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <content>Rewind, fork and turn keys.</content>
public abstract partial class SessionStoreContractTests
{
    private async Task<string> SessionWithTurnsAsync(int count, string? owner = "alice")
    {
        var id = NewSessionId();
        await Store.CreateAsync(id, owner);
        for (var i = 1; i <= count; i++)
        {
            await Store.AppendAsync(id, Turn("q" + i, "a" + i));
        }

        return id;
    }

    [Test]
    public async Task RewindAsync_RemovesLaterTurns_AndTheNextAppendGetsTheNextId()
    {
        var id = await SessionWithTurnsAsync(5);

        var result = await Store.RewindAsync(id, 2);
        var next = await Store.AppendAsync(id, Turn("again"));

        Assert.Multiple(async () =>
        {
            Assert.That(result, Is.EqualTo(new RewindResult(RewindStatus.Rewound, 2, 3)));
            Assert.That(next.Id, Is.EqualTo(3));
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(t => (t.Id, t.Query)), Is.EqualTo(new[] { (1, "q1"), (2, "q2"), (3, "again") }));
            Assert.That((await Store.GetRecentAsync(id, 2)).Select(t => t.Query), Is.EqualTo(new[] { "q2", "again" }));
            Assert.That((await Store.GetMetadataAsync(id))!.TurnCount, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task RewindAsync_ToZero_EmptiesTheTurnsAndKeepsTheSessionAndItsOwner()
    {
        var id = await SessionWithTurnsAsync(3);
        var before = await Store.GetMetadataAsync(id);

        var result = await Store.RewindAsync(id, 0, expectedLastTurnId: 3);

        var after = await Store.GetMetadataAsync(id);
        Assert.Multiple(async () =>
        {
            Assert.That(result, Is.EqualTo(new RewindResult(RewindStatus.Rewound, 0, 3)));
            Assert.That(after, Is.Not.Null);
            Assert.That(after!.Owner, Is.EqualTo("alice"));
            Assert.That(after.CreatedAt, Is.EqualTo(before!.CreatedAt));
            Assert.That(after.TurnCount, Is.Zero);
            Assert.That((await Store.GetAsync(id))!.Count, Is.Zero);
            Assert.That((await Store.AppendAsync(id, Turn("first again"))).Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RewindAsync_BeyondTheLastTurn_RemovesNothingAndSucceeds()
    {
        var id = await SessionWithTurnsAsync(2);

        var result = await Store.RewindAsync(id, 7);

        Assert.Multiple(async () =>
        {
            Assert.That(result, Is.EqualTo(new RewindResult(RewindStatus.Rewound, 2, 0)));
            Assert.That((await Store.AppendAsync(id, Turn("q3"))).Id, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task RewindAsync_UnknownSession_ReturnsNotFound()
    {
        Assert.That(await Store.RewindAsync(NewSessionId(), 0), Is.EqualTo(RewindResult.NotFound));
    }

    [Test]
    public async Task RewindAsync_ExpectedLastTurnIsNotTheLast_RefusesAndKeepsEveryTurn()
    {
        var id = await SessionWithTurnsAsync(3);
        await Store.AppendAsync(id, Turn("appended after the caller looked"));

        var result = await Store.RewindAsync(id, 2, expectedLastTurnId: 3);

        Assert.Multiple(async () =>
        {
            Assert.That(result, Is.EqualTo(new RewindResult(RewindStatus.Conflict, 4, 0)));
            Assert.That((await Store.GetAsync(id))!.Count, Is.EqualTo(4));
        });
    }

    [Test]
    public async Task RewindAsync_WithConcurrentAppends_LosesNoAcknowledgedTurn()
    {
        var id = await SessionWithTurnsAsync(3);
        using var start = new ManualResetEventSlim();
        var appends = Enumerable.Range(0, 16)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await Store.AppendAsync(id, Turn("racing " + i));
            }))
            .ToArray();
        var rewind = Task.Run(async () =>
        {
            start.Wait();
            return await Store.RewindAsync(id, 1, expectedLastTurnId: 3);
        });

        start.Set();
        var acknowledged = await Task.WhenAll(appends);
        var result = await rewind;

        var turns = (await Store.GetAsync(id))!.GetAll().ToDictionary(t => t.Id, t => t.Query);
        Assert.Multiple(() =>
        {
            // Refused when any append came first; when it won, it ran before every append, so each acknowledged turn stays.
            Assert.That(result.Status, Is.AnyOf(RewindStatus.Rewound, RewindStatus.Conflict));
            foreach (var turn in acknowledged)
            {
                Assert.That(turns.GetValueOrDefault(turn.Id), Is.EqualTo(turn.Query), $"turn {turn.Id}");
            }

            Assert.That(turns, Has.Count.EqualTo(result.Succeeded ? 1 + acknowledged.Length : 3 + acknowledged.Length));
        });
    }

    [Test]
    public async Task RewindAsync_RemovesARollingSummaryThatCoveredARemovedTurn()
    {
        var id = await SessionWithTurnsAsync(4);
        Assert.That(await Store.TrySetSummaryAsync(id, new SessionSummary("through three", 3, Clock.GetUtcNow()), 0), Is.True);

        await Store.RewindAsync(id, 3);
        var kept = await Store.GetSummaryAsync(id);
        await Store.RewindAsync(id, 2);
        var removed = await Store.GetSummaryAsync(id);

        Assert.Multiple(async () =>
        {
            Assert.That(kept?.Text, Is.EqualTo("through three"));
            Assert.That(removed, Is.Null);
            Assert.That(await Store.TrySetSummaryAsync(id, new SessionSummary("through two", 2, Clock.GetUtcNow()), 0), Is.True);
        });
    }

    [Test]
    public async Task RewindAsync_ForgetsTheTurnKeysOfRemovedTurns()
    {
        var id = await SessionWithTurnsAsync(1);
        await Store.AppendAsync(id, Turn("q2") with { TurnKey = "key-2" });

        await Store.RewindAsync(id, 1);
        var again = await Store.AppendAsync(id, Turn("q2 asked again") with { TurnKey = "key-2" });

        Assert.Multiple(async () =>
        {
            Assert.That(again.Id, Is.EqualTo(2));
            Assert.That(again.Query, Is.EqualTo("q2 asked again"));
            Assert.That((await Store.GetTurnByKeyAsync(id, "key-2"))?.Query, Is.EqualTo("q2 asked again"));
        });
    }

    [TestCase(-1, null)]
    [TestCase(0, -1)]
    public void RewindAsync_NegativeTurnId_Throws(int throughTurnId, int? expectedLastTurnId)
    {
        Assert.That(() => Store.RewindAsync(NewSessionId(), throughTurnId, expectedLastTurnId), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task ForkAsync_CopiesTheTurnsThroughN_IntoANewSessionOfTheSameOwnerThatNamesItsOrigin()
    {
        var source = await SessionWithTurnsAsync(4);
        var sourceTurns = (await Store.GetAsync(source))!.GetAll();
        var fork = NewSessionId();

        var metadata = await Store.ForkAsync(source, 2, fork);

        var stored = await Store.GetMetadataAsync(fork);
        Assert.Multiple(async () =>
        {
            Assert.That(metadata, Is.Not.Null);
            Assert.That(metadata!.SessionId, Is.EqualTo(fork));
            Assert.That(metadata.Owner, Is.EqualTo("alice"));
            Assert.That(metadata.TurnCount, Is.EqualTo(2));
            Assert.That((metadata.ForkedFromSessionId, metadata.ForkedFromTurnId), Is.EqualTo((source, (int?)2)));
            Assert.That(stored, Is.EqualTo(metadata));
            Assert.That((await Store.GetAsync(fork))!.GetAll(), Is.EqualTo(sourceTurns.Take(2)));
            Assert.That((await Store.GetAsync(source))!.GetAll(), Is.EqualTo(sourceTurns), "the source is unchanged");
            Assert.That((await Store.GetMetadataAsync(source))!.ForkedFromSessionId, Is.Null);
            Assert.That((await Store.AppendAsync(fork, Turn("edited q3"))).Id, Is.EqualTo(3));
            Assert.That((await Store.GetAsync(source))!.Count, Is.EqualTo(4));
        });
    }

    [Test]
    public async Task ForkAsync_ThroughZero_CreatesAnEmptySessionOfTheSameOwner()
    {
        var source = await SessionWithTurnsAsync(2);
        var fork = NewSessionId();

        var metadata = await Store.ForkAsync(source, 0, fork);

        Assert.Multiple(async () =>
        {
            Assert.That(metadata?.TurnCount, Is.Zero);
            Assert.That(metadata?.Owner, Is.EqualTo("alice"));
            Assert.That(metadata?.ForkedFromTurnId, Is.Zero);
            Assert.That((await Store.AppendAsync(fork, Turn("first"))).Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ForkAsync_OfAnOwnedTitledSession_IsListedFirstWithTheOwnersSessions_AndCarriesTheTitle()
    {
        var owner = NewOwner();
        var source = await CreateOwnedAsync(owner, turns: 2);
        Assert.That(await Store.SetTitleAsync(source, "Trip to Lisbon"), Is.True);
        await AdvanceTimeAsync(TimeSpan.FromSeconds(1));
        var fork = NewSessionId();

        var metadata = await Store.ForkAsync(source, 1, fork);

        var listed = (await Store.ListSessionsAsync(owner)).Sessions;
        var stored = await Store.GetMetadataAsync(fork);
        Assert.Multiple(() =>
        {
            Assert.That(listed.Select(s => s.SessionId), Is.EqualTo(new[] { fork, source }));
            Assert.That(listed[0].Title, Is.EqualTo("Trip to Lisbon"));
            Assert.That(listed[0].LastActivityAt, Is.EqualTo(Clock.GetUtcNow()));
            Assert.That((metadata?.Title, metadata?.TitleSource), Is.EqualTo(("Trip to Lisbon", (SessionTitleSource?)SessionTitleSource.Owner)));
            Assert.That((stored?.Title, stored?.TitleSource), Is.EqualTo(("Trip to Lisbon", (SessionTitleSource?)SessionTitleSource.Owner)));
            Assert.That(stored?.ForkedFromSessionId, Is.EqualTo(source));
        });
    }

    [Test]
    public async Task ForkAsync_ToAnotherOwner_IsListedWithThatOwnersSessionsOnly()
    {
        var owner = NewOwner();
        var other = NewOwner();
        var source = await CreateOwnedAsync(owner, turns: 1);
        var fork = NewSessionId();

        await Store.ForkAsync(source, 1, fork, owner: other);

        Assert.Multiple(async () =>
        {
            Assert.That((await Store.ListSessionsAsync(other)).Sessions.Select(s => s.SessionId), Is.EqualTo(new[] { fork }));
            Assert.That((await Store.ListSessionsAsync(owner)).Sessions.Select(s => s.SessionId), Is.EqualTo(new[] { source }));
        });
    }

    [Test]
    public async Task AppendAsync_WithATurnKey_MovesTheSessionToTheFrontOfItsOwnersList()
    {
        var owner = NewOwner();
        var keyed = await CreateOwnedAsync(owner, turns: 1);
        await AdvanceTimeAsync(TimeSpan.FromSeconds(1));
        var newer = await CreateOwnedAsync(owner, turns: 1);
        await AdvanceTimeAsync(TimeSpan.FromSeconds(1));

        var recorded = await Store.AppendAsync(keyed, Turn("keyed") with { TurnKey = "k1" });
        var listed = (await Store.ListSessionsAsync(owner)).Sessions;
        var retried = await Store.AppendAsync(keyed, Turn("keyed") with { TurnKey = "k1" });

        Assert.Multiple(() =>
        {
            Assert.That(listed.Select(s => s.SessionId), Is.EqualTo(new[] { keyed, newer }));
            Assert.That(listed[0].LastActivityAt, Is.EqualTo(Clock.GetUtcNow()));
            Assert.That(retried.Id, Is.EqualTo(recorded.Id));
        });
    }

    [Test]
    public async Task RewindAsync_IsActivity_AndMovesTheSessionToTheFrontOfItsOwnersList()
    {
        var owner = NewOwner();
        var rewound = await CreateOwnedAsync(owner, turns: 2);
        await AdvanceTimeAsync(TimeSpan.FromSeconds(1));
        var newer = await CreateOwnedAsync(owner, turns: 1);
        await AdvanceTimeAsync(TimeSpan.FromSeconds(1));

        var result = await Store.RewindAsync(rewound, 1);

        var listed = (await Store.ListSessionsAsync(owner)).Sessions;
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(RewindStatus.Rewound));
            Assert.That(listed.Select(s => s.SessionId), Is.EqualTo(new[] { rewound, newer }));
            Assert.That(listed[0].LastActivityAt, Is.EqualTo(Clock.GetUtcNow()));
            Assert.That(listed[0].TurnCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ForkAsync_WithAnOwner_GivesTheNewSessionThatOwner()
    {
        var source = await SessionWithTurnsAsync(1);
        var fork = NewSessionId();

        await Store.ForkAsync(source, 1, fork, owner: "bob");

        Assert.That((await Store.GetMetadataAsync(fork))?.Owner, Is.EqualTo("bob"));
    }

    [Test]
    public async Task ForkAsync_UnknownSource_ReturnsNullAndCreatesNothing()
    {
        var fork = NewSessionId();

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.ForkAsync(NewSessionId(), 0, fork), Is.Null);
            Assert.That(await Store.ExistsAsync(fork), Is.False);
        });
    }

    [Test]
    public async Task ForkAsync_ExistingTarget_ThrowsAndLeavesTheTargetAsItWas()
    {
        var source = await SessionWithTurnsAsync(2);
        var target = await SessionWithTurnsAsync(1, owner: "bob");

        Assert.Multiple(async () =>
        {
            Assert.That(() => Store.ForkAsync(source, 2, target), Throws.InvalidOperationException.With.Message.Contains(target));
            Assert.That((await Store.GetAsync(target))!.GetAll().Select(t => t.Query), Is.EqualTo(new[] { "q1" }));
            Assert.That((await Store.GetMetadataAsync(target))!.Owner, Is.EqualTo("bob"));
        });
    }

    [Test]
    public async Task ForkAsync_BeyondTheLastTurn_ThrowsAndCreatesNothing()
    {
        var source = await SessionWithTurnsAsync(2);
        var fork = NewSessionId();

        Assert.Multiple(async () =>
        {
            Assert.That(() => Store.ForkAsync(source, 3, fork), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("ends at turn 2"));
            Assert.That(await Store.ExistsAsync(fork), Is.False);
        });
    }

    [Test]
    public async Task ForkAsync_DoesNotCopyTurnKeysOrTheRollingSummary()
    {
        var source = await SessionWithTurnsAsync(0);
        await Store.AppendAsync(source, Turn("q1") with { TurnKey = "k1" });
        await Store.TrySetSummaryAsync(source, new SessionSummary("gist", 1, Clock.GetUtcNow()), 0);
        var fork = NewSessionId();

        await Store.ForkAsync(source, 1, fork);

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.GetTurnByKeyAsync(fork, "k1"), Is.Null);
            Assert.That(await Store.GetSummaryAsync(fork), Is.Null);
            Assert.That((await Store.GetTurnByKeyAsync(source, "k1"))?.Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AppendAsync_KeyTheSessionHolds_RecordsNothingAndReturnsTheRecordedTurn()
    {
        var id = NewSessionId();
        var first = await Store.AppendAsync(id, Turn("q", "first answer") with { TurnKey = "retry-1" });

        var retried = await Store.AppendAsync(id, Turn("q", "second answer") with { TurnKey = "retry-1" });
        var retriedToExisting = await Store.AppendToExistingAsync(id, Turn("q", "third answer") with { TurnKey = "retry-1" });
        var other = await Store.AppendAsync(id, Turn("q", "other") with { TurnKey = "retry-2" });

        Assert.Multiple(async () =>
        {
            Assert.That(first.Id, Is.EqualTo(1));
            Assert.That(first.TurnKey, Is.EqualTo("retry-1"));
            Assert.That((retried.Id, retried.Answer, retried.TurnKey), Is.EqualTo((1, "first answer", "retry-1")));
            Assert.That((retriedToExisting?.Id, retriedToExisting?.Answer), Is.EqualTo(((int?)1, "first answer")));
            Assert.That(other.Id, Is.EqualTo(2));
            Assert.That((await Store.GetAsync(id))!.Count, Is.EqualTo(2));
            var found = await Store.GetTurnByKeyAsync(id, "retry-1");
            Assert.That(found, Is.EqualTo((await Store.GetAsync(id))!.GetById(1)));
            Assert.That(found?.TurnKey, Is.EqualTo("retry-1"));
        });
    }

    [Test]
    public async Task AppendAsync_ConcurrentAppendsWithOneKey_RecordExactlyOneTurn()
    {
        var id = await SessionWithTurnsAsync(1);
        using var start = new ManualResetEventSlim();
        var appends = Enumerable.Range(0, 12)
            .Select(i => Task.Run(async () =>
            {
                start.Wait();
                return await Store.AppendAsync(id, Turn("q", "answer " + i) with { TurnKey = "same" });
            }))
            .ToArray();

        start.Set();
        var results = await Task.WhenAll(appends);

        var turns = (await Store.GetAsync(id))!.GetAll();
        Assert.Multiple(() =>
        {
            Assert.That(turns, Has.Count.EqualTo(2));
            Assert.That(results.Select(r => (r.Id, r.Answer)).Distinct().ToArray(), Is.EqualTo(new[] { (2, turns[1].Answer) }));
        });
    }

    [Test]
    public async Task GetTurnByKeyAsync_UnknownKeyOrSession_ReturnsNull()
    {
        var id = await SessionWithTurnsAsync(1);

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.GetTurnByKeyAsync(id, "never-used"), Is.Null);
            Assert.That(await Store.GetTurnByKeyAsync(NewSessionId(), "never-used"), Is.Null);
        });
    }

    [Test]
    public async Task GetTurnByKeyAsync_AfterDelete_ReturnsNull()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q") with { TurnKey = "k" });

        await Store.DeleteAsync(id);

        Assert.That(await Store.GetTurnByKeyAsync(id, "k"), Is.Null);
    }

    [TestCase("")]
    [TestCase("has space")]
    public void AppendAsync_InvalidTurnKey_Throws(string key)
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Store.AppendAsync(NewSessionId(), Turn("q") with { TurnKey = key }), Throws.ArgumentException);
            Assert.That(() => Store.GetTurnByKeyAsync(NewSessionId(), key), Throws.ArgumentException);
        });
    }

    [Test]
    public async Task SetAsync_ForgetsTheTurnKeysOfTheHistoryItReplaces()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1") with { TurnKey = "k1" });

        await Store.SetAsync(id, new MessageHistory([Turn("other") with { Id = 1 }]));

        Assert.That(await Store.GetTurnByKeyAsync(id, "k1"), Is.Null);
    }
}
