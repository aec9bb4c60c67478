using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary>The fork origin of a session: <see cref="ISessionStore.SetForkOriginAsync"/>, and the export → import round trip of a titled fork.</summary>
public abstract partial class SessionStoreContractTests
{
    [Test]
    public async Task GetMetadataAsync_SessionThatIsNoFork_HasNoForkOrigin()
    {
        var (created, appended) = (NewSessionId(), NewSessionId());
        await Store.CreateAsync(created, "owner-" + NewSessionId());
        await Store.AppendAsync(appended, Turn("q1"));

        var metadata = new[] { await Store.GetMetadataAsync(created), await Store.GetMetadataAsync(appended) };

        Assert.Multiple(() =>
        {
            Assert.That(metadata.Select(m => m!.ForkedFromSessionId), Is.All.Null);
            Assert.That(metadata.Select(m => m!.ForkedFromTurnId), Is.All.Null, "no origin turn, not turn 0");
        });
    }

    [Test]
    public async Task SetForkOriginAsync_RecordsTheOrigin_WithoutCountingAsActivity()
    {
        var (id, origin) = (NewSessionId(), NewSessionId());
        await Store.CreateAsync(id, "owner-origin");
        await AdvanceTimeAsync(TimeSpan.FromSeconds(2));

        var set = await Store.SetForkOriginAsync(id, origin, 7);
        var metadata = await Store.GetMetadataAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(set, Is.True);
            Assert.That(metadata!.ForkedFromSessionId, Is.EqualTo(origin), "the origin need not exist in this store");
            Assert.That(metadata.ForkedFromTurnId, Is.EqualTo(7));
            Assert.That(metadata.Owner, Is.EqualTo("owner-origin"));
            Assert.That(metadata.LastActivityAt, Is.EqualTo(Clock.GetUtcNow().AddSeconds(-2)), "not counted as activity");
        });
    }

    [Test]
    public async Task SetForkOriginAsync_UnknownSession_ReturnsFalseAndCreatesNothing()
    {
        var id = NewSessionId();

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.SetForkOriginAsync(id, NewSessionId(), 1), Is.False);
            Assert.That(await Store.ExistsAsync(id), Is.False);
        });
    }

    [Test]
    public void SetForkOriginAsync_InvalidArguments_Throw()
    {
        var id = NewSessionId();
        Assert.Multiple(() =>
        {
            Assert.That(() => Store.SetForkOriginAsync(id, id, 1), Throws.InstanceOf<ArgumentException>(), "forked from itself");
            Assert.That(() => Store.SetForkOriginAsync(id, NewSessionId(), -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => Store.SetForkOriginAsync(id, "not valid!", 1), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.SetForkOriginAsync("not valid!", id, 1), Throws.InstanceOf<ArgumentException>());
        });
    }

    [TestCase(SessionTitleSource.Question)]
    [TestCase(SessionTitleSource.Model)]
    [TestCase(SessionTitleSource.Owner)]
    public async Task ExportThenImport_OfATitledFork_KeepsTheTitleItsSourceAndTheForkOrigin(SessionTitleSource titleSource)
    {
        var (source, owner) = (NewSessionId(), "owner-" + NewSessionId());
        await Store.CreateAsync(source, owner);
        foreach (var query in new[] { "q1", "q2", "q3" })
        {
            await Store.AppendAsync(source, Turn(query));
        }

        var fork = NewSessionId();
        await Store.ForkAsync(source, 2, fork);
        await Store.SetTitleAsync(fork, "Prices, again", titleSource);
        var export = SessionExport.Parse((await Store.ExportSessionAsync(fork, Clock))!.ToUtf8Json());

        var imported = await Store.ImportSessionAsync(export, NewSessionId());
        var metadata = await Store.GetMetadataAsync(imported);

        Assert.Multiple(async () =>
        {
            Assert.That(export.Metadata.ForkedFromSessionId, Is.EqualTo(source), "the export carries the origin");
            Assert.That(metadata!.ForkedFromSessionId, Is.EqualTo(source), "the import writes the origin");
            Assert.That(metadata.ForkedFromTurnId, Is.EqualTo(2));
            Assert.That(metadata.Title, Is.EqualTo("Prices, again"));
            Assert.That(metadata.TitleSource, Is.EqualTo(titleSource));
            Assert.That(metadata.Owner, Is.EqualTo(owner));
            Assert.That((await Store.GetAsync(imported))!.GetAll().Select(t => (t.Id, t.Query)), Is.EqualTo(new[] { (1, "q1"), (2, "q2") }));
            Assert.That((await Store.ListSessionsAsync(owner)).Sessions.Select(s => s.SessionId), Does.Contain(imported));
        });
    }

    [Test]
    public async Task ExportThenImport_OfASessionThatIsNoFork_ImportsNoOrigin()
    {
        var source = NewSessionId();
        await Store.AppendAsync(source, Turn("q1"));
        var export = SessionExport.Parse((await Store.ExportSessionAsync(source, Clock))!.ToUtf8Json());

        var imported = await Store.ImportSessionAsync(export, NewSessionId());
        var metadata = await Store.GetMetadataAsync(imported);

        Assert.Multiple(() =>
        {
            Assert.That(metadata!.ForkedFromSessionId, Is.Null);
            Assert.That(metadata.ForkedFromTurnId, Is.Null);
            Assert.That(metadata.Title, Is.Null);
            Assert.That(metadata.TitleSource, Is.EqualTo(SessionTitleSource.None));
        });
    }
}
