using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.AspNetCore.Tests;

public sealed class ContextEndpointTests
{
    private const string ApiKey = "context-api-key-0123456789";

    [Test]
    public async Task GetContext_AfterQueries_ShowsExactlyWhatTheModelThenReceives_WithEachTurnsScoreParts()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();
        (await app.QueryAsync("My sister Ana adopted a tabby cat called Miso.", sessionId)).Response.Dispose();
        for (var i = 1; i <= 6; i++)
        {
            (await app.QueryAsync($"What is a good name for a project number {i}?", sessionId)).Response.Dispose();
        }

        const string question = "What is the cat of Ana called?";
        using var response = await app.Client.GetAsync($"/agent/context?session_id={sessionId}&query={Uri.EscapeDataString(question)}");
        var body = await response.ReadJsonAsync();
        var turns = body["turns"]!.AsArray().Select(t => t!.AsObject()).ToList();
        var messages = body["messages"]!.AsArray().Select(m => (string)m!["text"]!).ToList();

        (await app.QueryAsync(question, sessionId)).Response.Dispose();
        var received = app.Model.Requests[^1];

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((string)body["session_id"]!, Is.EqualTo(sessionId));
            Assert.That((string)body["selector"]!, Is.EqualTo(nameof(RelevanceMessageSelector)));
            Assert.That((int)body["considered_turns"]!, Is.EqualTo(7));
            Assert.That((int)body["token_count"]!, Is.Positive.And.LessThanOrEqualTo((int)body["max_tokens"]!));
            Assert.That(turns.Select(t => (int)t["id"]!), Is.Ordered.And.Contains(1), "the turn about the cat, in chronological order");
            var cat = turns.Single(t => (int)t["id"]! == 1);
            Assert.That((double)cat["lexical"]!, Is.EqualTo(1.0), "the best lexical match");
            Assert.That((int)cat["rank"]!, Is.EqualTo(3), "right after the two latest turns");
            Assert.That((int)cat["tokens"]!, Is.Positive);
            Assert.That(turns.Where(t => (bool)t["pinned"]!).Select(t => (int)t["id"]!), Is.EqualTo(new[] { 6, 7 }));
            Assert.That(received.Take(received.Count - 1).Select(m => m.Text), Is.EqualTo(messages), "exactly the context the query then gave the model");
        });

        var history = await (await app.Client.GetAsync("/agent/history?session_id=" + sessionId)).ReadJsonAsync();
        Assert.That((int)history["turns"]!, Is.EqualTo(8), "explaining recorded nothing: 7 turns, then the query's");
    }

    [TestCase("")]
    [TestCase("%20%20")]
    public async Task GetContext_EmptyQuery_Returns400ProblemSayingWhatToSend(string query)
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();

        using var response = await app.Client.GetAsync($"/agent/context?session_id={sessionId}&query={query}");

        var problem = await Problems.ReadAsync(response, 400);
        Assert.That((string)problem["detail"]!, Does.Contain("?query="));
    }

    [Test]
    public async Task GetContext_QueryTooLong_Returns400ProblemNamingTheSetting()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Dexter:Sessions:MaxQueryLength"] = "20" });
        var sessionId = await app.CreateSessionAsync();

        using var response = await app.Client.GetAsync($"/agent/context?session_id={sessionId}&query={new string('a', 21)}");

        var problem = await Problems.ReadAsync(response, 400);
        Assert.That((string)problem["detail"]!, Does.Contain("Dexter:Sessions:MaxQueryLength"));
    }

    [Test]
    public async Task GetContext_UnknownSession_Returns404Problem()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await app.Client.GetAsync($"/agent/context?session_id={SessionId.New()}&query=hello");

        await Problems.ReadAsync(response, 404);
    }

    [Test]
    public async Task GetContext_WithoutTheApiKey_Returns401_AndWithItAnswers()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["BACKEND_API_KEY"] = ApiKey });
        var sessionId = await app.CreateSessionAsync(r => r.Headers.Add("X-API-Key", ApiKey));

        using var denied = await app.Client.GetAsync($"/agent/context?session_id={sessionId}&query=hello");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/agent/context?session_id={sessionId}&query=hello");
        request.Headers.Add("X-API-Key", ApiKey);
        using var allowed = await app.Client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(denied.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task GetContext_StoreDown_Returns503Problem()
    {
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<ISessionStore>(new UnavailableSessionStore()));

        using var response = await app.Client.GetAsync($"/agent/context?session_id={SessionId.New()}&query=hello");

        await Problems.ReadAsync(response, 503);
    }
}
