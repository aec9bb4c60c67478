using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary>The fork origin of a session.</summary>
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
}
