using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary>The fork origin of a session, and <see cref="ISessionStore.SetForkOriginAsync"/>.</summary>
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
}
