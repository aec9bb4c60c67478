using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary>Embedding updates as activity (through encryption at rest too), and <see cref="ISessionStore.TouchAsync"/>.</summary>
public abstract partial class SessionStoreContractTests
{
    [Test]
    public async Task UpdateEmbeddingsAsync_IsActivity_RefreshesTheExpiryAndTheLastActivity()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await AdvanceTimeAsync(SessionTtl * 0.6);

        await Store.UpdateEmbeddingsAsync(id, [Turn("q1") with { Id = 1, Embedding = new float[] { 0.5f, -1f } }]);
        var metadata = await Store.GetMetadataAsync(id);
        await AdvanceTimeAsync(SessionTtl * 0.6);

        // 1.2 TTLs after the append, 0.6 after the embedding update: alive, as after any other write.
        Assert.Multiple(async () =>
        {
            Assert.That(metadata!.LastActivityAt, Is.EqualTo(Clock.GetUtcNow() - (SessionTtl * 0.6)), "the update is the session's last activity");
            Assert.That(await Store.ExistsAsync(id), Is.True, "the update refreshed the expiry");
            Assert.That((await Store.GetAsync(id))!.GetById(1)!.Embedding.ToArray(), Is.EqualTo(new[] { 0.5f, -1f }));
        });
    }

    [Test]
    public async Task UpdateEmbeddingsAsync_OfAnOwnedSession_MovesItToTheFrontOfItsOwnersList()
    {
        var (first, second, owner) = (NewSessionId(), NewSessionId(), "owner-" + NewSessionId());
        await Store.CreateAsync(first, owner);
        await Store.AppendAsync(first, Turn("q1"));
        await AdvanceTimeAsync(TimeSpan.FromSeconds(2));
        await Store.CreateAsync(second, owner);
        await AdvanceTimeAsync(TimeSpan.FromSeconds(2));

        await Store.UpdateEmbeddingsAsync(first, [Turn("q1") with { Id = 1, Embedding = new float[] { 1f } }]);

        var listed = (await Store.ListSessionsAsync(owner)).Sessions;
        Assert.Multiple(() =>
        {
            Assert.That(listed.Select(s => s.SessionId), Is.EqualTo(new[] { first, second }));
            Assert.That(listed[0].LastActivityAt, Is.EqualTo(Clock.GetUtcNow()));
        });
    }

    [Test]
    public async Task UpdateEmbeddingsAsync_UnknownSession_DoesNotCreateIt()
    {
        var id = NewSessionId();

        await Store.UpdateEmbeddingsAsync(id, [Turn("q1") with { Id = 1, Embedding = new float[] { 1f } }]);

        Assert.That(await Store.ExistsAsync(id), Is.False);
    }

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
