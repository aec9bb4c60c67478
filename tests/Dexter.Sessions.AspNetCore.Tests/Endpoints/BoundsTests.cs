using System.Net;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>Answers have a maximum size, and clients a rate limit whatever the session.</summary>
public sealed class BoundsTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task Query_AnswerLongerThanTheMaximum_EndsWithAnErrorEvent_AndKeepsWhatWasWrittenMarkedStopped(bool recordInterrupted)
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Dexter:Sessions:Endpoints:MaxAnswerLength"] = "10",
            ["Dexter:Sessions:RecordInterruptedTurns"] = recordInterrupted ? "true" : "false",
        });
        app.Model.OnGetStreamingResponse = (_, _, _) => Chunks("Bitcoin ", "is a ", "decentralized ", "digital currency.");
        var sessionId = await app.CreateSessionAsync();

        var (response, events) = await app.QueryAsync("What is Bitcoin?", sessionId);
        using (response)
        {
            var turns = (await app.Store.GetAsync(sessionId))!.GetAll();
            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(events.Select(e => (string)e["type"]!), Is.EqualTo(new[] { "token", "error" }), "the second chunk passes 10 characters");
                Assert.That((string)events[^1]["error"]!, Does.Contain("10 characters").And.Contain("MaxAnswerLength"));
                Assert.That(app.Logs.Entries.Any(e => e.Entry.EventId.Id == 401), Is.True, "AnswerTooLong is logged");
                if (recordInterrupted)
                {
                    Assert.That((string)events[^1]["error"]!, Does.Contain("kept, marked as stopped"));
                    Assert.That(turns.Select(t => (t.Answer, t.Interrupted)), Is.EqualTo(new[] { ("Bitcoin is a ", true) }),
                        "the answer up to the chunk that passed the limit, marked stopped");
                }
                else
                {
                    Assert.That((string)events[^1]["error"]!, Does.Contain("nothing was recorded"));
                    Assert.That(turns, Is.Empty, "nothing was recorded");
                }
            });
        }
    }

    [Test]
    public async Task Query_AnswerWithinTheMaximum_IsRecorded()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Dexter:Sessions:Endpoints:MaxAnswerLength"] = "100" });
        var sessionId = await app.CreateSessionAsync();

        var (response, events) = await app.QueryAsync("What is Bitcoin?", sessionId);
        response.Dispose();

        Assert.Multiple(async () =>
        {
            Assert.That((string)events[^1]["type"]!, Is.EqualTo("answer"));
            Assert.That((await app.Store.GetAsync(sessionId))!.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task CreateSession_MoreThanTheClientLimit_Returns429WithRetryAfter_WhileAnotherClientStillCreates()
    {
        const string Key = "client-limit-key-0123456789abcdef";
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Dexter:Sessions:RateLimit:ClientPermitsPerMinute"] = "2",
            ["Dexter:Sessions:Endpoints:ApiKey"] = Key,
            ["Dexter:Sessions:Endpoints:JwtSecret"] = "a-jwt-secret-of-at-least-32-bytes-long",
        });
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last?.Dispose();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/session");
            request.Headers.Add("X-API-Key", Key);
            last = await app.Client.SendAsync(request);
            statuses.Add(last.StatusCode);
        }

        using (last)
        {
            using var other = new HttpRequestMessage(HttpMethod.Post, "/agent/session");
            other.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
                EndpointSecurityTests.CreateToken("carol", secret: "a-jwt-secret-of-at-least-32-bytes-long"));
            using var otherResponse = await app.Client.SendAsync(other);

            Assert.Multiple(() =>
            {
                Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests }));
                Assert.That(int.Parse(last!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), Is.InRange(1, 60));
                Assert.That(otherResponse.StatusCode, Is.EqualTo(HttpStatusCode.Created), "the limit is per client");
            });
        }
    }

    [Test]
    public async Task Query_WithoutASessionId_CountsAgainstTheClientLimitEvenThoughEachMakesANewSession()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Dexter:Sessions:RateLimit:ClientPermitsPerMinute"] = "2",
            ["Dexter:Sessions:RateLimit:PermitsPerMinute"] = "100",
        });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            var (response, _) = await app.QueryAsync("hi");
            statuses.Add(response.StatusCode);
            response.Dispose();
        }

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Chunks(params string[] chunks)
    {
        foreach (var chunk in chunks)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, chunk);
        }
    }
}
