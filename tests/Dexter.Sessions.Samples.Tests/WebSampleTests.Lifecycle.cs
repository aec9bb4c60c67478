using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Samples.Tests;

/// <content>The lifecycle endpoints (list, rename, rewind, fork, keyed query) while Redis is stopped, and once it is back.</content>
public sealed partial class WebSampleTests
{
    private const string SampleKey = "the-sample-key-of-this-test";

    [Test]
    public async Task RedisStopped_LifecycleEndpointsAnswer503Problem_AndTheSameRequestsSucceedOnceItIsBack_WithNoTurnLostOrDuplicated()
    {
        // Redis as a deployment runs it: every write on disk before it is acknowledged, so a crash loses no acknowledged turn.
        await using var redis = await RedisServer.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        await using var sample = await WebSampleProcess.StartAsync(new Dictionary<string, string?>
        {
            ["REDIS_URL"] = $"redis://{redis.Endpoint}/0",
            ["BACKEND_API_KEY"] = SampleKey,   // a caller with an identity, so that GET /sessions lists its sessions
        });
        var client = sample.Client;
        client.DefaultRequestHeaders.Add("X-API-Key", SampleKey);
        string sessionId;
        using (var created = await client.PostAsync("/agent/session", content: null))
        {
            var body = await created.Content.ReadAsStringAsync();
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), body + sample.Output);
            sessionId = (string)JsonNode.Parse(body)!["session_id"]!;
        }

        foreach (var question in new[] { "What is Bitcoin?", "What is a wallet?", "How do miners earn rewards?" })
        {
            var asked = await SendAsync(client, HttpMethod.Post, "/agent/query", Query(question, sessionId));
            Assert.That(asked.Status, Is.EqualTo(HttpStatusCode.OK), asked.Body);
        }

        var before = await TurnsAsync(client, sessionId);
        Assert.That(before.Select(t => t.Id), Is.EqualTo(new[] { 1, 2, 3 }), "three turns before the outage");

        // The requests a client makes with the lifecycle endpoints: list, rename, undo the last turn, branch after turn 2, and a
        // query it will retry with the same Idempotency-Key.
        var requests = new List<(HttpMethod Method, string Path, string? Json, string? IdempotencyKey)>
        {
            (HttpMethod.Patch, "/agent/session?session_id=" + sessionId, "{\"title\":\"Bitcoin basics\"}", null),
            (HttpMethod.Post, "/agent/session/rewind", $"{{\"session_id\":\"{sessionId}\",\"through_turn_id\":2,\"expected_last_turn_id\":3}}", null),
            (HttpMethod.Post, "/agent/session/fork", $"{{\"session_id\":\"{sessionId}\",\"through_turn_id\":2}}", null),
            (HttpMethod.Post, "/agent/query", Query("Who created Bitcoin?", sessionId), "retry-of-who-created-bitcoin"),
            (HttpMethod.Get, "/agent/sessions", null, null),
        };

        // Sent together, as clients of one instance would: each waits out the store's operation timeout on its own.
        redis.Kill();
        var down = await Task.WhenAll(requests.Select(r => SendAsync(client, r.Method, r.Path, r.Json, r.IdempotencyKey)));

        await redis.RestartAsync();
        var ready = HttpStatusCode.ServiceUnavailable;
        for (var attempt = 0; attempt < 100 && ready != HttpStatusCode.OK; attempt++)
        {
            using var probe = await client.GetAsync("/ready");
            ready = probe.StatusCode;
            if (ready != HttpStatusCode.OK)
            {
                await Task.Delay(100);
            }
        }

        var afterOutage = await TurnsAsync(client, sessionId);

        var up = new List<(string Request, HttpStatusCode Status, string? ContentType, string? RetryAfter, string Body)>();
        foreach (var (method, path, json, key) in requests)
        {
            up.Add(await SendAsync(client, method, path, json, key));
        }

        // The client retries the query with the same key (its first answer was lost on the way, say): the recorded turn comes back.
        var retried = await SendAsync(client, HttpMethod.Post, "/agent/query", requests[3].Json, requests[3].IdempotencyKey);
        var after = await TurnsAsync(client, sessionId);
        var forkId = up[2].Status == HttpStatusCode.Created ? (string?)JsonNode.Parse(up[2].Body)?["session_id"] : null;
        var fork = forkId is null ? [] : await TurnsAsync(client, forkId);
        var listed = up[4].Status == HttpStatusCode.OK
            ? JsonNode.Parse(up[4].Body)!["items"]!.AsArray().Select(s => (string)s!["session_id"]!).ToList()
            : [];
        var listedAfter = await SendAsync(client, HttpMethod.Get, "/agent/sessions", null, null);

        Assert.Multiple(() =>
        {
            // What the caller sees while Redis is down: 503, a problem+json body that says when to try again and names no server.
            foreach (var answer in down)
            {
                Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), $"{answer.Request} while Redis is down: {answer.Body}");
                Assert.That(answer.ContentType, Is.EqualTo("application/problem+json"), answer.Request);
                Assert.That(answer.RetryAfter, Is.Not.Null, answer.Request + " says when to try again");
                Assert.That(answer.Body, Does.Contain("\"request_id\"").And.Contain("unavailable").And.Not.Contain(redis.Endpoint), answer.Request + " names no server");
            }

            Assert.That(ready, Is.EqualTo(HttpStatusCode.OK), "the instance is ready again once Redis is back");
            Assert.That(afterOutage, Is.EqualTo(before), "the outage lost no turn, and the failed requests changed none");

            // The same requests, once Redis is back.
            Assert.That(up.Select(a => a.Status), Is.EqualTo(new[]
            {
                HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK,
            }), string.Join("\n", up.Select(a => $"{a.Request}: {a.Body}")));
            Assert.That(up[0].Body, Does.Contain("\"title\":\"Bitcoin basics\""), "the rename answers the session with its new title");
            Assert.That(up[1].Body, Does.Contain("\"removed_turns\":1"), "the rewind removed turn 3");
            Assert.That(retried.Status, Is.EqualTo(HttpStatusCode.OK), retried.Body);
            Assert.That(AnswerOf(retried.Body), Is.EqualTo(AnswerOf(up[3].Body)).And.Not.Null, "the retry gets the recorded answer");

            // Turns 1 and 2 kept, turn 3 rewound, the keyed query recorded once as the new turn 3.
            Assert.That(after.Select(t => t.Id), Is.EqualTo(new[] { 1, 2, 3 }), "no turn lost or duplicated");
            Assert.That(after.Select(t => t.Query), Is.EqualTo(new[] { "What is Bitcoin?", "What is a wallet?", "Who created Bitcoin?" }));
            Assert.That(fork, Is.EqualTo(before.Take(2)), "the fork holds copies of turns 1 and 2");
            Assert.That(listed, Does.Contain(sessionId).And.Contain(forkId), "the session and its fork are listed");
            Assert.That(listedAfter.Status, Is.EqualTo(HttpStatusCode.OK), listedAfter.Body);
            Assert.That(listedAfter.Body, Does.Contain("\"title\":\"Bitcoin basics\""));
        });
    }

    private static string Query(string question, string sessionId) =>
        new JsonObject { ["query"] = question, ["session_id"] = sessionId }.ToJsonString();

    private static async Task<List<(int Id, string Query)>> TurnsAsync(HttpClient client, string sessionId)
    {
        using var response = await client.GetAsync("/agent/history?session_id=" + sessionId);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return [.. JsonNode.Parse(body)!["messages"]!.AsArray().Select(m => ((int)m!["id"]!, (string)m["query"]!))];
    }

    private static string? AnswerOf(string body) => body.Split('\n')
        .Where(line => line.StartsWith("data: ", StringComparison.Ordinal))
        .Select(line => JsonNode.Parse(line["data: ".Length..])!)
        .Where(data => (string?)data["type"] == "answer")
        .Select(data => (string?)data["content"])
        .SingleOrDefault();

    private static async Task<(string Request, HttpStatusCode Status, string? ContentType, string? RetryAfter, string Body)> SendAsync(
        HttpClient client, HttpMethod method, string path, string? json, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await client.SendAsync(request);
        return ($"{method} {path}", response.StatusCode, response.Content.Headers.ContentType?.MediaType,
            response.Headers.RetryAfter?.ToString(), await response.Content.ReadAsStringAsync());
    }
}
