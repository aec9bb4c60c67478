using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Dexter.Sessions.AspNetCore.Tests.Host;

/// <summary>In the host app, the host's users list and rename their own sessions only.</summary>
[TestFixture]
public sealed class HostUserConversationsTests
{
    [Test]
    public async Task HostUsers_ListAndRenameTheirOwnSessions_Only()
    {
        await using var host = new HostApp();
        using var alice = host.ClientFor("alice");
        using var bob = host.ClientFor("bob");
        var aliceSession = await HostApp.CreateSessionAsync(alice);
        var bobSession = await HostApp.CreateSessionAsync(bob);
        var (query, queryBody) = await HostApp.QueryAsync(alice, "What is Bitcoin?", aliceSession);

        using var aliceList = await alice.GetAsync("/agent/sessions");
        var aliceItems = (await aliceList.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();
        using var rename = await alice.PatchAsJsonAsync("/agent/session?session_id=" + aliceSession, new { title = "Crypto basics" });
        using var bobRenamesAlices = await bob.PatchAsJsonAsync("/agent/session?session_id=" + aliceSession, new { title = "Taken" });
        using var bobList = await bob.GetAsync("/agent/sessions");
        var bobItems = (await bobList.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray();

        Assert.Multiple(async () =>
        {
            Assert.That(query.StatusCode, Is.EqualTo(HttpStatusCode.OK), queryBody);
            Assert.That(aliceList.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(aliceItems.Select(i => (string?)i!["session_id"]), Is.EqualTo(new[] { aliceSession }));
            Assert.That((string?)aliceItems[0]!["title"], Is.EqualTo("What is Bitcoin?"));
            Assert.That(rename.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bobRenamesAlices.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(bobItems.Select(i => (string?)i!["session_id"]), Is.EqualTo(new[] { bobSession }));
            Assert.That((await host.Store.GetMetadataAsync(aliceSession))!.Title, Is.EqualTo("Crypto basics"));
        });
    }
}
