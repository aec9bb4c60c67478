using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary><see cref="ISessionStore.TouchAsync"/>: activity without a change.</summary>
public abstract partial class SessionStoreContractTests
{
    [Test]
    public async Task TouchAsync_RefreshesTheExpiryAndTheLastActivity_AndChangesNothingElse()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id, "owner-touch");
        await Store.AppendAsync(id, Turn("q1"));
        await Store.SetTitleAsync(id, "Prices");
        await AdvanceTimeAsync(SessionTtl * 0.6);

        var touched = await Store.TouchAsync(id);
        var metadata = await Store.GetMetadataAsync(id);
        await AdvanceTimeAsync(SessionTtl * 0.6);

        Assert.Multiple(async () =>
        {
            Assert.That(touched, Is.True);
            Assert.That(metadata!.LastActivityAt, Is.EqualTo(Clock.GetUtcNow() - (SessionTtl * 0.6)));
            Assert.That(metadata.Title, Is.EqualTo("Prices"));
            Assert.That(metadata.Owner, Is.EqualTo("owner-touch"));
            Assert.That(metadata.TurnCount, Is.EqualTo(1));
            Assert.That(await Store.ExistsAsync(id), Is.True, "the touch refreshed the expiry");
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(t => t.Query), Is.EqualTo(new[] { "q1" }));
        });
    }

    [Test]
    public async Task TouchAsync_UnknownOrExpiredSession_ReturnsFalseAndCreatesNothing()
    {
        var (unknown, expired) = (NewSessionId(), NewSessionId());
        await Store.AppendAsync(expired, Turn("q1"));
        await AdvanceTimeAsync(SessionTtl + TimeSpan.FromMinutes(1));

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.TouchAsync(unknown), Is.False);
            Assert.That(await Store.TouchAsync(expired), Is.False);
            Assert.That(await Store.ExistsAsync(unknown), Is.False);
            Assert.That(await Store.ExistsAsync(expired), Is.False);
        });
    }
}
