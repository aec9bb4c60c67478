using System.Net;
using System.Text.Json.Nodes;

namespace Dexter.Sessions.AspNetCore.Tests;

public sealed class HistoryEndpointTests
{
    [Test]
    public async Task GetHistory_AfterTwoQueries_ReturnsBothTurnsWithSummaries()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();
        (await app.QueryAsync("What is Bitcoin?", sessionId)).Response.Dispose();
        (await app.QueryAsync("Why is it valuable?", sessionId)).Response.Dispose();

        using var response = await app.Client.GetAsync("/agent/history?session_id=" + sessionId);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await response.ReadJsonAsync();
        var messages = body["messages"]!.AsArray().Select(m => m!.AsObject()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That((string)body["session_id"]!, Is.EqualTo(sessionId));
            Assert.That((int)body["turns"]!, Is.EqualTo(2));
            Assert.That(messages.Select(m => (int)m["id"]!), Is.EqualTo(new[] { 1, 2 }));
            Assert.That((string)messages[0]["query"]!, Is.EqualTo("What is Bitcoin?"));
            Assert.That((string)messages[0]["answer"]!, Is.EqualTo("Answer to: What is Bitcoin?"));
            Assert.That((string)messages[1]["summary"]!, Does.Contain("Why is it valuable?"));
            Assert.That(DateTimeOffset.Parse((string)messages[0]["created_at"]!, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(DateTimeOffset.UnixEpoch));
            Assert.That(messages[0].Select(p => p.Key), Is.EqualTo(new[] { "id", "query", "answer", "summary", "created_at", "interrupted" }));
            Assert.That(messages.Select(m => (bool)m["interrupted"]!), Is.All.False, "whole answers");
        });
    }

    [Test]
    public async Task GetHistory_NewSession_ReturnsNoTurns()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();

        using var response = await app.Client.GetAsync("/agent/history?session_id=" + sessionId);

        var body = await response.ReadJsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That((int)body["turns"]!, Is.Zero);
            Assert.That(body["messages"]!.AsArray(), Is.Empty);
        });
    }

    [Test]
    public async Task GetHistory_SessionCookieOnly_ReturnsCookieSession()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/agent/history");
        request.Headers.Add("Cookie", "session_id=" + sessionId);

        using var response = await app.Client.SendAsync(request);

        Assert.That((string)(await response.ReadJsonAsync())["session_id"]!, Is.EqualTo(sessionId));
    }

    [TestCase("GET")]
    [TestCase("DELETE")]
    public async Task History_NoSessionGiven_Returns400Problem(string method)
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/agent/history"));

        await Problems.ReadAsync(response, 400);
    }

    [TestCase("GET")]
    [TestCase("DELETE")]
    public async Task History_MalformedSessionId_Returns400Problem(string method)
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/agent/history?session_id=%3Cscript%3E"));

        await Problems.ReadAsync(response, 400);
    }

    [TestCase("GET")]
    [TestCase("DELETE")]
    public async Task History_UnknownSession_Returns404Problem(string method)
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/agent/history?session_id=" + SessionId.New()));

        await Problems.ReadAsync(response, 404);
    }

    [TestCase("GET")]
    [TestCase("DELETE")]
    public async Task History_StoreUnavailable_Returns503Problem(string method)
    {
        await using var app = await TestApp.StartAsync(services: s => s.AddDexterSessionsStore(new UnavailableSessionStore()));

        using var response = await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/agent/history?session_id=" + SessionId.New()));

        await Problems.ReadAsync(response, 503);
    }

    [Test]
    public async Task ClearHistory_ExistingSession_DeletesItAndExpiresCookie()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();
        (await app.QueryAsync("What is Bitcoin?", sessionId)).Response.Dispose();

        using var response = await app.Client.DeleteAsync("/agent/history?session_id=" + sessionId);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await response.ReadJsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.DeepEquals(body, new JsonObject { ["session_id"] = sessionId, ["status"] = "cleared" }), Is.True, body.ToJsonString());
            Assert.That(Cookies.SessionCookie(response), Does.Contain("expires=Thu, 01 Jan 1970"));
            Assert.That(Cookies.SessionCookie(response), Does.Not.Contain("max-age=").IgnoreCase, "a positive Max-Age would win over Expires and keep the cookie");
        });
        Assert.That(await app.Store.ExistsAsync(sessionId), Is.False);
        using var after = await app.Client.GetAsync("/agent/history?session_id=" + sessionId);
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
