using System.Net;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>A GET never sets or changes the session cookie, so a cross-site link cannot plant a session in a browser.</summary>
public sealed class PlantedSessionTests
{
    [Test]
    public async Task GetHistory_WithAnotherSessionsId_SetsNoCookie()
    {
        await using var app = await TestApp.StartAsync();
        var attackers = await app.CreateSessionAsync();

        // The attacker's link, opened by the victim: GET /agent/history?session_id=<attacker's id>.
        using var response = await app.Client.GetAsync("/agent/history?session_id=" + attackers);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.Contains("Set-Cookie"), Is.False);
        });
    }

    [Test]
    public async Task VictimsNextCookieQuery_AfterTheLink_StaysInTheVictimsSession()
    {
        await using var app = await TestApp.StartAsync();
        var attackers = await app.CreateSessionAsync();
        var victims = await app.CreateSessionAsync();

        using (var link = new HttpRequestMessage(HttpMethod.Get, "/agent/history?session_id=" + attackers))
        {
            link.Headers.Add("Cookie", "session_id=" + victims);
            using var response = await app.Client.SendAsync(link);
            Assert.That(response.Headers.Contains("Set-Cookie"), Is.False);
        }

        // The browser still holds the victim's cookie, so the next query goes there.
        var (query, _) = await app.QueryAsync("my private question", configure: r => r.Headers.Add("Cookie", "session_id=" + victims));
        query.Dispose();

        Assert.Multiple(async () =>
        {
            Assert.That((await app.Store.GetAsync(attackers))!.Count, Is.Zero);
            Assert.That((await app.Store.GetAsync(victims))!.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PostEndpoints_ThatCreateOrUseASession_SetTheCookie()
    {
        await using var app = await TestApp.StartAsync();

        using var created = await app.Client.PostAsync("/agent/session", content: null);
        var (query, _) = await app.QueryAsync("hi");
        using (query)
        {
            Assert.Multiple(() =>
            {
                Assert.That(created.Headers.GetValues("Set-Cookie").Single(), Does.StartWith("session_id=").And.Contain("httponly").And.Contain("samesite=lax"));
                Assert.That(query.Headers.GetValues("Set-Cookie").Single(), Does.StartWith("session_id="));
            });
        }
    }

    [Test]
    public async Task Endpoints_AnswerWithNosniff()
    {
        await using var app = await TestApp.StartAsync();

        using var created = await app.Client.PostAsync("/agent/session", content: null);

        Assert.That(created.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
    }
}
