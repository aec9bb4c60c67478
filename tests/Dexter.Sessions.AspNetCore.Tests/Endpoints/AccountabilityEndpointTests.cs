using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>GET /stats, /audit and /export, and the audit events of every endpoint, on a real Kestrel server with bearer tokens.</summary>
[TestFixture]
public sealed class AccountabilityEndpointTests
{
    private const string Secret = "a-test-secret-that-is-long-enough-for-hs256!";
    private const string Marker = "marker-query-7f3a";

    private static void As(HttpRequestMessage request, string user) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", EndpointSecurityTests.CreateToken(user, Secret));

    private static async Task<HttpResponseMessage> GetAsync(TestApp app, string path, string? user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (user is not null)
        {
            As(request, user);
        }

        return await app.Client.SendAsync(request);
    }

    [Test]
    public async Task Audit_EveryAction_RecordedInOrder_WithTheDeniedOnes_AndNoContent()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["JWT_SECRET"] = Secret }, kestrel: true);
        var sessionId = await app.CreateSessionAsync(r => As(r, "alice"));
        var (query, events) = await app.QueryAsync(Marker, sessionId, r => As(r, "alice"));
        using var history = await GetAsync(app, "/agent/history?session_id=" + sessionId, "alice");
        using var stats = await GetAsync(app, "/agent/stats?session_id=" + sessionId, "alice");
        using var export = await GetAsync(app, "/agent/export?session_id=" + sessionId, "alice");
        using var bob = await GetAsync(app, "/agent/history?session_id=" + sessionId, "bob");
        using var anonymous = await GetAsync(app, "/agent/export?session_id=" + sessionId, user: null);
        using var audit = await GetAsync(app, "/agent/audit?session_id=" + sessionId, "alice");
        var body = await audit.Content.ReadFromJsonAsync<JsonObject>();
        var owner = (await app.Store.GetMetadataAsync(sessionId))!.Owner;

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/agent/history?session_id=" + sessionId);
        As(delete, "alice");
        using var cleared = await app.Client.SendAsync(delete);
        var trail = await ((Sessions.ISessionAuditStore)app.Store).GetAuditEventsAsync(sessionId);

        var rows = body!["events"]!.AsArray().Select(e => ((string)e!["action"]!, (string)e["outcome"]!, (string?)e["principal"])).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(query.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((int?)events.Last()["message_id"], Is.EqualTo(1));
            Assert.That(new[] { history.StatusCode, stats.StatusCode, export.StatusCode, audit.StatusCode, cleared.StatusCode }, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(bob.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((bool?)body["kept"], Is.True);
            Assert.That(rows, Is.EqualTo(new (string, string, string?)[]
            {
                ("created", "succeeded", owner),
                ("queried", "succeeded", owner),
                ("history_read", "succeeded", owner),
                ("statistics_read", "succeeded", owner),
                ("exported", "succeeded", owner),
                ("denied", "not_found", rows[5].Item3),
                ("denied", "unauthorized", null),
                ("audit_read", "succeeded", owner),
            }));
            Assert.That(rows[5].Item3, Is.Not.Null.And.Not.EqualTo(owner), "Bob is named");
            Assert.That((int?)body["events"]![1]!["turn_id"], Is.EqualTo(1));
            Assert.That((string?)body["events"]![0]!["remote_address"], Is.EqualTo("127.0.0.1"));
            Assert.That(body["events"]!.AsArray().Select(e => (string?)e!["request_id"]), Is.All.Not.Null);
            Assert.That(body.ToJsonString(), Does.Not.Contain(Marker), "the trail never holds content");
            Assert.That(trail.Select(e => e.Action).Last(), Is.EqualTo(SessionAuditAction.Cleared), "the trail outlives the erased session");
            Assert.That(app.Logs.Entries.Where(e => e.Category == SessionAuditLog.LogCategory).Select(e => e.Entry.EventId.Id),
                Is.EqualTo(new[] { 850, 851, 852, 853, 855, 858, 858, 854, 856 }));
            Assert.That(app.Logs.Entries.Where(e => e.Category == SessionAuditLog.LogCategory).Select(e => e.Entry.Message), Has.None.Contains(Marker));
        });
    }

    [Test]
    public async Task Audit_RateLimitedQuery_IsRecordedAsDenied()
    {
        await using var app = await TestApp.StartAsync(
            new Dictionary<string, string?> { ["JWT_SECRET"] = Secret, ["Dexter:Sessions:RateLimit:PermitsPerMinute"] = "1" }, kestrel: true);
        var sessionId = await app.CreateSessionAsync(r => As(r, "alice"));
        await app.QueryAsync("one", sessionId, r => As(r, "alice"));
        var (limited, _) = await app.QueryAsync("two", sessionId, r => As(r, "alice"));
        using var audit = await GetAsync(app, "/agent/audit?session_id=" + sessionId, "alice");
        var body = await audit.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Multiple(() =>
        {
            Assert.That(limited.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(body!["events"]!.AsArray().Select(e => (string)e!["action"]! + ":" + (string)e["outcome"]!),
                Is.EqualTo(new[] { "created:succeeded", "queried:succeeded", "denied:rate_limited", "audit_read:succeeded" }));
        });
    }

    [Test]
    public async Task Stats_KnownTurns_GivesTheirFigures()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["JWT_SECRET"] = Secret }, kestrel: true);
        var sessionId = await app.CreateSessionAsync(r => As(r, "alice"));
        for (var i = 1; i <= 4; i++)
        {
            await app.Store.AppendAsync(sessionId, new Message
            {
                Query = "q" + i, Answer = "a", InputTokenCount = 10 * i, OutputTokenCount = i, ResponseTime = TimeSpan.FromMilliseconds(100 * i),
                CreatedAt = new DateTimeOffset(2026, 11, 24, 12, i, 0, TimeSpan.Zero), SelectorFellBack = i == 2,
            });
        }

        using var response = await GetAsync(app, "/agent/stats?session_id=" + sessionId, "alice");
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((int?)body!["turns"], Is.EqualTo(4));
            Assert.That((long?)body["input_tokens"], Is.EqualTo(100));
            Assert.That((long?)body["output_tokens"], Is.EqualTo(10));
            Assert.That((double?)body["response_time_p50_ms"], Is.EqualTo(200));
            Assert.That((double?)body["response_time_p95_ms"], Is.EqualTo(400));
            Assert.That((double?)body["response_time_max_ms"], Is.EqualTo(400));
            Assert.That((int?)body["selector_fallbacks"], Is.EqualTo(1));
            Assert.That((int?)body["summarizer_fallbacks"], Is.EqualTo(0));
            Assert.That((string?)body["first_activity_at"], Does.StartWith("2026-11-24T12:01:00"));
            Assert.That(body["per_turn"]!.AsArray().Select(t => (double?)t!["response_time_ms"]), Is.EqualTo(new double?[] { 100, 200, 300, 400 }));
        });
    }

    [Test]
    public async Task Export_OwnersSession_ImportsIntoAnotherStoreWithEveryTurnAndTheRollingSummary()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["JWT_SECRET"] = Secret }, kestrel: true);
        var sessionId = await app.CreateSessionAsync(r => As(r, "alice"));
        await app.QueryAsync("What is Bitcoin?", sessionId, r => As(r, "alice"));
        await app.QueryAsync("And Ether?", sessionId, r => As(r, "alice"));
        var before = await app.Store.GetSummaryAsync(sessionId);
        var rolling = new SessionSummary("Bitcoin and Ether were asked about.", (before?.ThroughTurnId ?? 0) + 1, new DateTimeOffset(2026, 11, 25, 9, 30, 0, TimeSpan.FromHours(1)));
        Assert.That(await app.Store.TrySetSummaryAsync(sessionId, rolling, before?.ThroughTurnId ?? 0), Is.True);

        using var response = await GetAsync(app, "/agent/export?session_id=" + sessionId, "alice");
        var export = SessionExport.Parse(await response.Content.ReadAsByteArrayAsync());
        using var target = new InMemorySessionStore();
        await target.ImportSessionAsync(export);

        Assert.Multiple(async () =>
        {
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
            Assert.That(response.Headers.CacheControl!.NoStore, Is.True);
            Assert.That((await target.GetAsync(sessionId))!.GetAll(), Is.EqualTo((await app.Store.GetAsync(sessionId))!.GetAll()));
            Assert.That(export.Turns.Select(t => t.ChatMessages.Count), Is.All.GreaterThan(0));
            Assert.That(export.RollingSummary, Is.EqualTo(rolling));
            Assert.That(await target.GetSummaryAsync(sessionId), Is.EqualTo(rolling));
        });
    }

    [TestCase("/agent/stats")]
    [TestCase("/agent/audit")]
    [TestCase("/agent/export")]
    public async Task Endpoint_AnotherPrincipalsSession_Answers404LikeAnUnknownOne(string path)
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["JWT_SECRET"] = Secret }, kestrel: true);
        var sessionId = await app.CreateSessionAsync(r => As(r, "alice"));

        using var bob = await GetAsync(app, path + "?session_id=" + sessionId, "bob");
        using var unknown = await GetAsync(app, path + "?session_id=" + SessionId.New(), "bob");
        using var noCredential = await GetAsync(app, path + "?session_id=" + sessionId, user: null);

        Assert.Multiple(async () =>
        {
            Assert.That(bob.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(noCredential.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await bob.Content.ReadFromJsonAsync<JsonObject>())!["title"]!.ToString(),
                Is.EqualTo((await unknown.Content.ReadFromJsonAsync<JsonObject>())!["title"]!.ToString()));
        });
    }
}
