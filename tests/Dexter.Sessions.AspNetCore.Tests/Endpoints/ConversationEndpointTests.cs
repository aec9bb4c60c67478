using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>GET /sessions and PATCH /session on a real Kestrel server with bearer tokens.</summary>
[TestFixture]
public sealed class ConversationEndpointTests
{
    private const string Secret = "a-test-secret-that-is-long-enough-for-hs256!";

    private static void As(HttpRequestMessage request, string user) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", EndpointSecurityTests.CreateToken(user, Secret));

    private static async Task<HttpResponseMessage> SendAsync(TestApp app, HttpMethod method, string path, string? user, string? json = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (user is not null)
        {
            As(request, user);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, contentType);
        }

        return await app.Client.SendAsync(request);
    }

    private static Task<TestApp> StartAsync() =>
        TestApp.StartAsync(new Dictionary<string, string?> { ["JWT_SECRET"] = Secret }, kestrel: true);

    [Test]
    public async Task ListSessions_EncryptionAtRestWithoutAnOwnerLookupKey_Is501NamingTheSetting_AndTheOtherRoutesWork()
    {
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?> { ["JWT_SECRET"] = Secret },
            services: s =>
            {
                s.AddDataProtection().UseEphemeralDataProtectionProvider();
                s.AddDexterSessions().UseEncryptionAtRest();
            },
            kestrel: true);
        var sessionId = await app.CreateSessionAsync(r => As(r, "alice"));

        using var list = await SendAsync(app, HttpMethod.Get, "/agent/sessions", "alice");
        var problem = await list.Content.ReadFromJsonAsync<JsonObject>();
        using var history = await SendAsync(app, HttpMethod.Get, "/agent/history?session_id=" + sessionId, "alice");

        Assert.Multiple(() =>
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.NotImplemented));
            Assert.That(list.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That((string?)problem!["detail"], Does.Contain("OwnerLookupKey"), "the operator is told which setting is missing");
            Assert.That((string?)problem["request_id"] ?? (string?)problem["requestId"], Is.Not.Null.And.Not.Empty);
            Assert.That(history.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the session itself works");
            Assert.That(app.Logs.Entries.Any(e => e.Entry.EventId.Id == 403), Is.True);
        });
    }

    [Test]
    public async Task ListSessions_TheCallersOnly_NewestActivityFirst_TitledByTheirFirstQuestion_Paged()
    {
        await using var app = await StartAsync();
        var first = await app.CreateSessionAsync(r => As(r, "alice"));
        var second = await app.CreateSessionAsync(r => As(r, "alice"));
        await app.CreateSessionAsync(r => As(r, "bob"));
        await app.QueryAsync("What is <b>Bitcoin</b>?\nAnd why?", first, r => As(r, "alice"));

        using var page1 = await SendAsync(app, HttpMethod.Get, "/agent/sessions?limit=1", "alice");
        var body1 = await page1.Content.ReadFromJsonAsync<JsonObject>();
        using var page2 = await SendAsync(app, HttpMethod.Get, "/agent/sessions?limit=1&cursor=" + Uri.EscapeDataString((string)body1!["next_cursor"]!), "alice");
        var body2 = await page2.Content.ReadFromJsonAsync<JsonObject>();
        using var bob = await SendAsync(app, HttpMethod.Get, "/agent/sessions", "bob");
        var bobBody = await bob.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Multiple(() =>
        {
            Assert.That(page1.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page1.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
            var item = body1["items"]!.AsArray().Single()!;
            Assert.That((string?)item["session_id"], Is.EqualTo(first), "the queried session has the newest activity");
            Assert.That((string?)item["title"], Is.EqualTo("What is <b>Bitcoin</b>?"), "the title is the first line of the question, as JSON text");
            Assert.That((int?)item["turn_count"], Is.EqualTo(1));
            Assert.That(item["created_at"], Is.Not.Null);
            Assert.That(item["last_activity_at"], Is.Not.Null);
            Assert.That(body2!["items"]!.AsArray().Select(i => (string?)i!["session_id"]), Is.EqualTo(new[] { second }));
            Assert.That(body2["items"]![0]!["title"], Is.Null);
            Assert.That(body2.ContainsKey("next_cursor") && body2["next_cursor"] is null, Is.True, "the last page says so");
            Assert.That(bobBody!["items"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(bobBody["items"]!.AsArray().Select(i => (string?)i!["session_id"]), Has.None.EqualTo(first).And.None.EqualTo(second));
        });
    }

    [Test]
    public async Task ListSessions_AFork_NamesTheSessionAndTurnItWasForkedFrom_OthersNull()
    {
        await using var app = await StartAsync();
        var original = await app.CreateSessionAsync(r => As(r, "alice"));
        await app.QueryAsync("First question", original, r => As(r, "alice"));
        await app.QueryAsync("Second question", original, r => As(r, "alice"));
        using var forkResponse = await SendAsync(app, HttpMethod.Post, "/agent/session/fork", "alice",
            $$"""{"session_id":"{{original}}","through_turn_id":1}""");
        var fork = (string)(await forkResponse.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!;
        using var fromTheStart = await SendAsync(app, HttpMethod.Post, "/agent/session/fork", "alice",
            $$"""{"session_id":"{{original}}","through_turn_id":0}""");
        var emptyFork = (string)(await fromTheStart.Content.ReadFromJsonAsync<JsonObject>())!["session_id"]!;

        using var list = await SendAsync(app, HttpMethod.Get, "/agent/sessions", "alice");
        var items = (await list.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().ToDictionary(i => (string)i!["session_id"]!);
        using var renamed = await SendAsync(app, HttpMethod.Patch, "/agent/session?session_id=" + fork, "alice", """{"title":"The branch"}""");
        var renamedBody = await renamed.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Multiple(() =>
        {
            Assert.That(forkResponse.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(fromTheStart.StatusCode, Is.EqualTo(HttpStatusCode.Created), "a fork through turn 0 (before the first question) is a fork too");
            Assert.That(items.Keys, Is.EquivalentTo(new[] { original, fork, emptyFork }));
            Assert.That(((string?)items[fork]!["forked_from_session_id"], (int?)items[fork]!["forked_from_turn_id"]), Is.EqualTo((original, (int?)1)));
            Assert.That((int?)items[fork]!["turn_count"], Is.EqualTo(1));
            Assert.That(((string?)items[emptyFork]!["forked_from_session_id"], (int?)items[emptyFork]!["forked_from_turn_id"]), Is.EqualTo((original, (int?)0)));
            var plain = items[original]!.AsObject();
            Assert.That(plain.ContainsKey("forked_from_session_id") && plain["forked_from_session_id"] is null, Is.True, "present, and null for a session that is not a fork");
            Assert.That(plain.ContainsKey("forked_from_turn_id") && plain["forked_from_turn_id"] is null, Is.True);
            Assert.That((string?)renamedBody!["forked_from_session_id"], Is.EqualTo(original), "PATCH /session answers with the session as listed");
        });
    }

    [Test]
    public async Task ListSessions_NoIdentity_Or_BadArguments_AreProblems()
    {
        await using var anonymous = await TestApp.StartAsync(new Dictionary<string, string?>(), kestrel: true);
        using var noOwner = await anonymous.Client.GetAsync("/agent/sessions");
        await using var app = await StartAsync();
        using var badLimit = await SendAsync(app, HttpMethod.Get, "/agent/sessions?limit=0", "alice");
        using var badCursor = await SendAsync(app, HttpMethod.Get, "/agent/sessions?cursor=garbage", "alice");
        using var unauthenticated = await SendAsync(app, HttpMethod.Get, "/agent/sessions", user: null);

        Assert.Multiple(async () =>
        {
            Assert.That(noOwner.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(noOwner.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(await noOwner.Content.ReadAsStringAsync(), Does.Contain("Listing sessions needs a caller with an identity"));
            Assert.That(badLimit.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(badCursor.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await badCursor.Content.ReadAsStringAsync(), Does.Contain("The cursor is not one GET /sessions returned"));
            Assert.That(unauthenticated.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Rename_ByTheOwner_SetsTheTitle_Audited_AndAnotherOwnersSessionIs404()
    {
        await using var app = await StartAsync();
        var sessionId = await app.CreateSessionAsync(r => As(r, "alice"));

        using var renamed = await SendAsync(app, HttpMethod.Patch, "/agent/session?session_id=" + sessionId, "alice", """{"title":"  Trip \"plans\"\n<script>  "}""");
        var body = await renamed.Content.ReadFromJsonAsync<JsonObject>();
        using var byBob = await SendAsync(app, HttpMethod.Patch, "/agent/session?session_id=" + sessionId, "bob", """{"title":"Mine now"}""");
        using var unknown = await SendAsync(app, HttpMethod.Patch, "/agent/session?session_id=" + SessionId.New(), "alice", """{"title":"x"}""");
        using var empty = await SendAsync(app, HttpMethod.Patch, "/agent/session?session_id=" + sessionId, "alice", """{"title":" \t "}""");
        using var tooLong = await SendAsync(app, HttpMethod.Patch, "/agent/session?session_id=" + sessionId, "alice", $$"""{"title":"{{new string('x', 201)}}"}""");
        using var noTitle = await SendAsync(app, HttpMethod.Patch, "/agent/session?session_id=" + sessionId, "alice", """{"name":"x"}""");
        using var notJson = await SendAsync(app, HttpMethod.Patch, "/agent/session?session_id=" + sessionId, "alice", "title=x", "text/plain");
        var trail = await ((ISessionAuditStore)app.Store).GetAuditEventsAsync(sessionId);

        Assert.Multiple(async () =>
        {
            Assert.That(renamed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((string?)body!["title"], Is.EqualTo("Trip \"plans\" <script>"));
            Assert.That((string?)body["session_id"], Is.EqualTo(sessionId));
            Assert.That((int?)body["turn_count"], Is.EqualTo(0));
            Assert.That(byBob.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await empty.Content.ReadAsStringAsync(), Does.Contain("The title is empty"));
            Assert.That(tooLong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await tooLong.Content.ReadAsStringAsync(), Does.Contain("at most 200"));
            Assert.That(noTitle.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(notJson.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
            Assert.That((await app.Store.GetMetadataAsync(sessionId))!.Title, Is.EqualTo("Trip \"plans\" <script>"), "Bob changed nothing");
            Assert.That(trail.Select(e => e.Action), Does.Contain(SessionAuditAction.Renamed));
            Assert.That(trail.Count(e => e.Action == SessionAuditAction.Renamed), Is.EqualTo(1));
        });
    }
}
