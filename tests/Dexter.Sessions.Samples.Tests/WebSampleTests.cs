using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Samples.Tests;

/// <summary>The web sample as a process: the chat page's headers, the API description's auth, limits shared through Redis, and context selected by all-MiniLM-L6-v2.</summary>
[TestFixture]
[NonParallelizable]
public sealed partial class WebSampleTests
{
    private static readonly Dictionary<string, string?> NoSettings = [];

    [Test]
    public async Task ChatPage_IsServedWithContentSecurityPolicyFrameOptionsAndNosniff()
    {
        await using var sample = await WebSampleProcess.StartAsync(NoSettings);

        using var page = await sample.Client.GetAsync("/");
        using var script = await sample.Client.GetAsync("/chat.js");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
            Assert.That(page.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));
            Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(),
                Does.Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.Not.Contain("unsafe-inline"));
            Assert.That(html, Does.Contain("<script src=\"chat.js\"></script>").And.Not.Contain("<script>"), "no inline script under the CSP");
            Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(script.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
        });
    }

    [Test]
    public async Task OpenApi_WithAnApiKeyConfigured_NeedsTheKeyAsTheEndpointsDo()
    {
        await using var sample = await WebSampleProcess.StartAsync(new Dictionary<string, string?> { ["BACKEND_API_KEY"] = "sample-key" });

        using var anonymous = await sample.Client.GetAsync("/openapi/v1.json");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Add("X-API-Key", "sample-key");
        using var withKey = await sample.Client.SendAsync(request);
        using var session = await sample.Client.PostAsync("/agent/session", content: null);

        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(session.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the endpoints ask for the same key");
            Assert.That(withKey.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task TwoInstancesOnOneRedis_ShareOneRateLimit()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["REDIS_URL"] = $"redis://{redis.Endpoint}/0",
            ["DEXTER_RATE_LIMIT_PER_MINUTE"] = "3",
        };
        await using var first = await WebSampleProcess.StartAsync(settings);
        await using var second = await WebSampleProcess.StartAsync(settings);

        using var created = await first.Client.PostAsync("/agent/session", content: null);
        var sessionId = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["session_id"]!;
        var statuses = new List<HttpStatusCode>();
        foreach (var instance in new[] { first, second, first, second })
        {
            using var response = await QueryAsync(instance.Client, sessionId);
            statuses.Add(response.StatusCode);
        }

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }),
            "three queries a minute for the session across both instances, not three on each");
    }

    [Test]
    public async Task RedisStopped_WithTheSamplesRateLimits_EveryEndpointAnswers503ProblemWithRetryAfter_AndRecovers()
    {
        // The sample as it ships: REDIS_URL set, UseRedisRateLimits(), the default per-client and per-session limits.
        await using var redis = await RedisServer.StartAsync();
        await using var sample = await WebSampleProcess.StartAsync(new Dictionary<string, string?> { ["REDIS_URL"] = $"redis://{redis.Endpoint}/0" });
        using (var created = await sample.Client.PostAsync("/agent/session", content: null))
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), sample.Output);
        }

        var sessionId = SessionId.New();
        redis.Kill();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var answers = await Task.WhenAll(
            SendAsync(sample.Client, HttpMethod.Post, "/agent/session", null),
            SendAsync(sample.Client, HttpMethod.Post, "/agent/query", $"{{\"query\":\"What is Bitcoin?\",\"session_id\":\"{sessionId}\"}}"),
            SendAsync(sample.Client, HttpMethod.Get, "/agent/history?session_id=" + sessionId, null),
            SendAsync(sample.Client, HttpMethod.Delete, "/agent/history?session_id=" + sessionId, null));
        var took = watch.Elapsed;

        await redis.RestartAsync();
        HttpStatusCode recovered = default;
        for (var attempt = 0; attempt < 100 && recovered != HttpStatusCode.Created; attempt++)
        {
            using var again = await sample.Client.PostAsync("/agent/session", content: null);
            recovered = again.StatusCode;
            if (recovered != HttpStatusCode.Created)
            {
                await Task.Delay(100);
            }
        }

        Assert.Multiple(() =>
        {
            foreach (var answer in answers)
            {
                Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), $"{answer.Request}: {answer.Body}");
                Assert.That(answer.ContentType, Is.EqualTo("application/problem+json"), answer.Request);
                Assert.That(answer.RetryAfter, Is.Not.Null, answer.Request + " says when to try again");
                Assert.That(answer.Body, Does.Contain("\"request_id\"").And.Not.Contain(redis.Endpoint), answer.Request + " names no server");
            }

            Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(5 + 3)), "within the store's operation timeout (5 s by default)");
            Assert.That(recovered, Is.EqualTo(HttpStatusCode.Created), "the same instance serves again once Redis is back");
        });
    }

    [TestCase("DEXTER_USE_EMBEDDINGS", "true")]
    [TestCase("Dexter__Sessions__UseEmbeddings", "yes")]   // the configuration key, as Dexter:Sessions:UseEmbeddings in appsettings.json
    public async Task Query_EmbeddingsOn_GivesAParaphrasedQuestionTheTurnItMeansWithAllMiniLML6V2(string setting, string value)
    {
        // With one context turn, "Who gets paid for securing the network?" (no word in common with the miners' question, and the
        // wallet turn the latest) gets the miners' turn only from a model of meaning.
        await using var sample = await WebSampleProcess.StartAsync(new Dictionary<string, string?>
        {
            [setting] = value,
            ["Dexter__Sessions__Relevance__MaxTurns"] = "1",
            ["Dexter__Sessions__Relevance__AlwaysIncludeLatest"] = "0",
        });
        using var created = await sample.Client.PostAsync("/agent/session", content: null);
        var sessionId = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["session_id"]!;
        var answers = new List<string?>();
        foreach (var query in new[] { "How do miners earn rewards?", "What is a wallet?", "Who gets paid for securing the network?" })
        {
            answers.Add(await AnswerAsync(sample.Client, sessionId, query));
        }

        var output = sample.Output;
        Assert.Multiple(() =>
        {
            Assert.That(answers[2], Does.StartWith("Following up on your earlier question \"How do miners earn rewards?\": Miners earn"), output);
            Assert.That(WebModelLoaded().Matches(output), Has.Count.EqualTo(1), "the bundled model is loaded once, by the first query, and its load logged");
            Assert.That(output, Does.Not.Contain("warn:").And.Not.Contain("fail:"), "no embedding call fell back");
        });
    }

    [Test]
    public async Task Query_EmbeddingsOff_NeverLoadsTheEmbeddingModel()
    {
        await using var sample = await WebSampleProcess.StartAsync(NoSettings);
        using var created = await sample.Client.PostAsync("/agent/session", content: null);
        var sessionId = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["session_id"]!;
        var first = await AnswerAsync(sample.Client, sessionId, "What is Bitcoin?");
        var second = await AnswerAsync(sample.Client, sessionId, "Why is it valuable?");

        Assert.Multiple(() =>
        {
            Assert.That(first, Does.StartWith("Bitcoin is"));
            Assert.That(second, Does.StartWith("Following up on your earlier question \"What is Bitcoin?\""));
            Assert.That(sample.Output, Does.Not.Contain("MiniLMEmbeddingGenerator"), "without embeddings no model is registered, so the selection ranks by words alone");
        });
    }

    /// <summary>Sends a query and returns the full answer of its closing <c>answer</c> event, or <see langword="null"/>.</summary>
    private static async Task<string?> AnswerAsync(HttpClient client, string sessionId, string query)
    {
        var (_, status, _, _, body) = await SendAsync(client, HttpMethod.Post, "/agent/query", new JsonObject { ["query"] = query, ["session_id"] = sessionId }.ToJsonString());
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        return AnswerOf(body);
    }

    private static Task<(string Request, HttpStatusCode Status, string? ContentType, string? RetryAfter, string Body)> SendAsync(
        HttpClient client, HttpMethod method, string path, string? json) =>
        SendAsync(client, method, path, json, idempotencyKey: null);

    private static async Task<HttpResponseMessage> QueryAsync(HttpClient client, string sessionId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/query")
        {
            Content = new StringContent($"{{\"query\":\"What is Bitcoin?\",\"session_id\":\"{sessionId}\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await client.SendAsync(request);
        await response.Content.ReadAsStringAsync();
        return response;
    }

    // The web host's console log writes the message on the line after the category.
    [GeneratedRegex(@"MiniLMEmbeddingGenerator\[4100\]\s+Loaded the embedding model all-MiniLM-L6-v2 from SentenceTransformers\.MiniLM [\d.]+ in \d+ ms: 384 dimensions")]
    private static partial Regex WebModelLoaded();
}
