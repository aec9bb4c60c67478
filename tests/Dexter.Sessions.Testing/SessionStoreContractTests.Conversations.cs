using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary>The contract of listing an owner's sessions and of titles.</summary>
public abstract partial class SessionStoreContractTests
{
    private static string NewOwner() => "owner-" + SessionId.New();

    private async Task<string> CreateOwnedAsync(string owner, int turns = 0)
    {
        var id = NewSessionId();
        Assert.That(await Store.CreateAsync(id, owner), Is.True);
        for (var i = 0; i < turns; i++)
        {
            await Store.AppendAsync(id, Turn("q" + i));
        }

        return id;
    }

    private async Task<List<SessionMetadata>> ListAllAsync(string owner, int limit)
    {
        var all = new List<SessionMetadata>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Store.ListSessionsAsync(owner, limit, cursor);
            Assert.That(page.Sessions, Has.Count.LessThanOrEqualTo(limit));
            all.AddRange(page.Sessions);
            cursor = page.NextCursor;
            Assert.That(++pages, Is.LessThan(100), "the walk ends");
        }
        while (cursor is not null);
        return all;
    }

    [Test]
    public async Task ListSessionsAsync_OwnerWithSessions_ListsOnlyTheirs_NewestActivityFirst()
    {
        var alice = NewOwner();
        var first = await CreateOwnedAsync(alice, turns: 1);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await CreateOwnedAsync(alice);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var third = await CreateOwnedAsync(alice, turns: 2);
        await CreateOwnedAsync(NewOwner(), turns: 1);
        await Store.AppendAsync(NewSessionId(), Turn("no owner"));
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.AppendAsync(first, Turn("again"));

        var page = await Store.ListSessionsAsync(alice);

        Assert.Multiple(() =>
        {
            Assert.That(page.Sessions.Select(s => s.SessionId), Is.EqualTo(new[] { first, third, second }));
            Assert.That(page.Sessions.Select(s => s.TurnCount), Is.EqualTo(new[] { 2, 2, 0 }));
            Assert.That(page.Sessions.Select(s => s.Owner), Is.All.EqualTo(alice));
            Assert.That(page.Sessions[0].CreatedAt, Is.EqualTo(Clock.GetUtcNow().AddSeconds(-3)));
            Assert.That(page.Sessions[0].LastActivityAt, Is.EqualTo(Clock.GetUtcNow()));
            Assert.That(page.Sessions[2].LastActivityAt, Is.EqualTo(Clock.GetUtcNow().AddSeconds(-2)));
            Assert.That(page.NextCursor, Is.Null);
        });
    }

    [Test]
    public async Task ListSessionsAsync_UnknownOwner_ReturnsAnEmptyLastPage()
    {
        await CreateOwnedAsync(NewOwner());

        var page = await Store.ListSessionsAsync(NewOwner());

        Assert.Multiple(() =>
        {
            Assert.That(page.Sessions, Is.Empty);
            Assert.That(page.NextCursor, Is.Null);
        });
    }

    [Test]
    public async Task ListSessionsAsync_Paged_WalksEverySessionOnce_InOrder()
    {
        var owner = NewOwner();
        var expected = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            expected.Insert(0, await CreateOwnedAsync(owner));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await Store.ListSessionsAsync(owner, limit: 3);
        var walked = await ListAllAsync(owner, limit: 3);

        Assert.Multiple(() =>
        {
            Assert.That(first.Sessions, Has.Count.EqualTo(3));
            Assert.That(first.NextCursor, Is.Not.Null);
            Assert.That(walked.Select(s => s.SessionId), Is.EqualTo(expected));
        });
    }

    [Test]
    public async Task ListSessionsAsync_SessionsWithTheSameActivityTime_PagesRepeatAndSkipNone()
    {
        var owner = NewOwner();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await CreateOwnedAsync(owner)); // the clock does not move: every session has the same time
        }

        var walked = await ListAllAsync(owner, limit: 2);

        Assert.That(walked.Select(s => s.SessionId), Is.EquivalentTo(ids).And.Unique);
    }

    [Test]
    public async Task ListSessionsAsync_ExactlyFullLastPage_HasNoFurtherSessions()
    {
        var owner = NewOwner();
        await CreateOwnedAsync(owner);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await CreateOwnedAsync(owner);

        var first = await Store.ListSessionsAsync(owner, limit: 2);
        var rest = first.NextCursor is null ? null : await Store.ListSessionsAsync(owner, limit: 2, first.NextCursor);

        Assert.Multiple(() =>
        {
            Assert.That(first.Sessions, Has.Count.EqualTo(2));
            Assert.That(rest?.Sessions ?? [], Is.Empty, "a cursor, when given, leads to an empty page");
        });
    }

    [Test]
    public async Task ListSessionsAsync_DeletedSession_IsNotListed()
    {
        var owner = NewOwner();
        var kept = await CreateOwnedAsync(owner, turns: 1);
        var deleted = await CreateOwnedAsync(owner, turns: 1);

        await Store.DeleteAsync(deleted);

        Assert.That((await ListAllAsync(owner, limit: 1)).Select(s => s.SessionId), Is.EqualTo(new[] { kept }));
    }

    [Test]
    public async Task ListSessionsAsync_DeletedAndRecreatedByAnotherOwner_IsListedForTheNewOwnerOnly()
    {
        var alice = NewOwner();
        var bob = NewOwner();
        var id = await CreateOwnedAsync(alice, turns: 1);
        await Store.DeleteAsync(id);
        Assert.That(await Store.CreateAsync(id, bob), Is.True);

        Assert.Multiple(async () =>
        {
            Assert.That((await Store.ListSessionsAsync(alice)).Sessions, Is.Empty);
            Assert.That((await Store.ListSessionsAsync(bob)).Sessions.Select(s => s.SessionId), Is.EqualTo(new[] { id }));
        });
    }

    [Test]
    public async Task ListSessionsAsync_ExpiredSession_IsNotListed_WhileOneKeptAliveIs()
    {
        var owner = NewOwner();
        var kept = await CreateOwnedAsync(owner, turns: 1);
        await CreateOwnedAsync(owner, turns: 1);

        await AdvanceTimeAsync(SessionTtl * 0.6);
        await Store.AppendAsync(kept, Turn("keep alive"));
        await AdvanceTimeAsync(SessionTtl * 0.6);

        Assert.That((await ListAllAsync(owner, limit: 1)).Select(s => s.SessionId), Is.EqualTo(new[] { kept }));
    }

    [Test]
    public async Task ListSessionsAsync_EveryWriteThatRefreshesTheSession_MovesItToTheFront()
    {
        var owner = NewOwner();
        var byAppend = await CreateOwnedAsync(owner, turns: 1);
        var bySet = await CreateOwnedAsync(owner, turns: 1);
        var bySummary = await CreateOwnedAsync(owner, turns: 1);
        var byAppendToExisting = await CreateOwnedAsync(owner, turns: 1);
        var untouched = await CreateOwnedAsync(owner, turns: 1);

        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.AppendAsync(byAppend, Turn("more"));
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Store.SetAsync(bySet, new MessageHistory((await Store.GetAsync(bySet))!.GetAll()));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await Store.TrySetSummaryAsync(bySummary, Summary("gist", 1), 0), Is.True);
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await Store.AppendToExistingAsync(byAppendToExisting, Turn("more")), Is.Not.Null);

        var listed = await ListAllAsync(owner, limit: 2);

        Assert.Multiple(() =>
        {
            Assert.That(listed.Select(s => s.SessionId), Is.EqualTo(new[] { byAppendToExisting, bySummary, bySet, byAppend, untouched }));
            Assert.That(listed[0].LastActivityAt, Is.EqualTo(Clock.GetUtcNow()));
        });
    }

    [Test]
    public async Task ListSessionsAsync_SessionWrittenDuringAWalk_IsNotReturnedTwice()
    {
        var owner = NewOwner();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await CreateOwnedAsync(owner));
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await Store.ListSessionsAsync(owner, limit: 2);
        await Store.AppendAsync(first.Sessions[0].SessionId, Turn("moves to the front again"));
        var second = await Store.ListSessionsAsync(owner, limit: 2, first.NextCursor);

        Assert.That(first.Sessions.Concat(second.Sessions).Select(s => s.SessionId), Is.Unique.And.EquivalentTo(ids));
    }

    [Test]
    public void ListSessionsAsync_InvalidArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Store.ListSessionsAsync(""), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.ListSessionsAsync("alice", limit: 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => Store.ListSessionsAsync("alice", limit: SessionStoreArguments.MaxListLimit + 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(
                () => Store.ListSessionsAsync("alice", cursor: "not-a-cursor"),
                Throws.ArgumentException.With.Message.Contains("The cursor is not one a listing of sessions returned"));
        });
    }

    [Test]
    public async Task SetTitleAsync_ByTheOwner_IsReadBackAndListed_WithoutMovingTheSession()
    {
        var owner = NewOwner();
        var titled = await CreateOwnedAsync(owner, turns: 1);
        Clock.Advance(TimeSpan.FromSeconds(1));
        var newer = await CreateOwnedAsync(owner, turns: 1);
        Clock.Advance(TimeSpan.FromSeconds(1));

        var set = await Store.SetTitleAsync(titled, "  Trip to\r\n  Lisbon — 2027 ✈  ");
        var metadata = await Store.GetMetadataAsync(titled);
        var listed = (await Store.ListSessionsAsync(owner)).Sessions;

        Assert.Multiple(() =>
        {
            Assert.That(set, Is.True);
            Assert.That(metadata!.Title, Is.EqualTo("Trip to Lisbon — 2027 ✈"));
            Assert.That(metadata.TitleSource, Is.EqualTo(SessionTitleSource.Owner));
            Assert.That(metadata.LastActivityAt, Is.EqualTo(Clock.GetUtcNow().AddSeconds(-2)), "a rename is not activity");
            Assert.That(listed.Select(s => s.SessionId), Is.EqualTo(new[] { newer, titled }));
            Assert.That(listed[1].Title, Is.EqualTo("Trip to Lisbon — 2027 ✈"));
            Assert.That(listed[0].Title, Is.Null);
            Assert.That(listed[0].TitleSource, Is.EqualTo(SessionTitleSource.None));
        });
    }

    [Test]
    public async Task SetTitleAsync_Sources_OnlyReplaceALowerOne_ExceptTheOwnersAlways()
    {
        var id = await CreateOwnedAsync(NewOwner(), turns: 1);

        var question = await Store.SetTitleAsync(id, "From the question", SessionTitleSource.Question);
        var secondQuestion = await Store.SetTitleAsync(id, "Another question", SessionTitleSource.Question);
        var model = await Store.SetTitleAsync(id, "From the model", SessionTitleSource.Model);
        var owner = await Store.SetTitleAsync(id, "The owner's", SessionTitleSource.Owner);
        var lateModel = await Store.SetTitleAsync(id, "Late model title", SessionTitleSource.Model);
        var rename = await Store.SetTitleAsync(id, "Renamed again");

        var metadata = await Store.GetMetadataAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(new[] { question, secondQuestion, model, owner, lateModel, rename }, Is.EqualTo(new[] { true, false, true, true, false, true }));
            Assert.That(metadata!.Title, Is.EqualTo("Renamed again"));
            Assert.That(metadata.TitleSource, Is.EqualTo(SessionTitleSource.Owner));
        });
    }

    [Test]
    public async Task SetTitleAsync_UnknownDeletedOrExpiredSession_ReturnsFalse()
    {
        var deleted = await CreateOwnedAsync(NewOwner(), turns: 1);
        await Store.DeleteAsync(deleted);
        var expired = await CreateOwnedAsync(NewOwner(), turns: 1);
        await AdvanceTimeAsync(SessionTtl + TimeSpan.FromMinutes(1));

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.SetTitleAsync(NewSessionId(), "title"), Is.False);
            Assert.That(await Store.SetTitleAsync(deleted, "title"), Is.False);
            Assert.That(await Store.SetTitleAsync(expired, "title"), Is.False);
            Assert.That(await Store.ExistsAsync(expired), Is.False, "a title does not bring a session back");
        });
    }

    [Test]
    public async Task SetTitleAsync_Kept_WhenTheHistoryIsReplacedOrATurnAppended()
    {
        var id = await CreateOwnedAsync(NewOwner(), turns: 1);
        await Store.SetTitleAsync(id, "Kept");

        await Store.AppendAsync(id, Turn("more"));
        await Store.SetAsync(id, new MessageHistory((await Store.GetAsync(id))!.GetAll()));

        Assert.That((await Store.GetMetadataAsync(id))!.Title, Is.EqualTo("Kept"));
    }

    [Test]
    public async Task SetTitleAsync_InvalidArguments_Throw()
    {
        var id = await CreateOwnedAsync(NewOwner());

        Assert.Multiple(() =>
        {
            Assert.That(() => Store.SetTitleAsync(id, " \n\t "), Throws.ArgumentException.With.Message.Contains("The title is empty"));
            Assert.That(() => Store.SetTitleAsync(id, new string('x', SessionTitles.MaxLength + 1)), Throws.ArgumentException.With.Message.Contains("at most 200"));
            Assert.That(() => Store.SetTitleAsync(id, null!), Throws.ArgumentNullException);
            Assert.That(() => Store.SetTitleAsync(id, "title", SessionTitleSource.None), Throws.ArgumentException);
            Assert.That(() => Store.SetTitleAsync("bad id", "title"), Throws.ArgumentException);
        });
        Assert.That(await Store.SetTitleAsync(id, new string('x', SessionTitles.MaxLength)), Is.True);
    }
}
