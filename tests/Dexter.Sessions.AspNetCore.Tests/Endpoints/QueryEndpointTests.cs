using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.AspNetCore.Tests;

public sealed class QueryEndpointTests
{
    [Test]
    public async Task Query_NoSession_StreamsTokensThenAnswerAndCreatesSession()
    {
        await using var app = await TestApp.StartAsync();

        var (response, events) = await app.QueryAsync("What is Bitcoin?");

        using (response)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/event-stream"));
            var sessionId = Cookies.SessionIdFrom(response);
            var tokens = events.Take(events.Count - 1).ToList();
            var answer = events[^1];
            Assert.Multiple(() =>
            {
                Assert.That(tokens, Has.Count.EqualTo(5), "one event per streamed word");
                Assert.That(tokens.Select(e => (string)e["type"]!), Is.All.EqualTo("token"));
                Assert.That(tokens.Select(e => e.Count), Is.All.EqualTo(2), "token events are {type, content}");
                Assert.That((string)answer["type"]!, Is.EqualTo("answer"));
                Assert.That((string)answer["content"]!, Is.EqualTo("Answer to: What is Bitcoin?"));
                Assert.That(string.Concat(tokens.Select(e => (string)e["content"]!)), Is.EqualTo((string)answer["content"]!));
                Assert.That((string)answer["session_id"]!, Is.EqualTo(sessionId));
                Assert.That((string)answer["request_id"]!, Is.EqualTo(response.Headers.GetValues("X-Request-Id").Single()));
                Assert.That((int)answer["message_id"]!, Is.EqualTo(1));
            });
            var history = await app.Store.GetAsync(sessionId);
            Assert.That(history!.Count, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Query_SessionIdInBody_RecordsTurnsInThatSessionWithContext()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();

        var (first, firstEvents) = await app.QueryAsync("What is Bitcoin?", sessionId);
        var (second, secondEvents) = await app.QueryAsync("Why is it valuable?", sessionId);
        first.Dispose();
        second.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That((int)firstEvents[^1]["message_id"]!, Is.EqualTo(1));
            Assert.That((int)secondEvents[^1]["message_id"]!, Is.EqualTo(2));
            Assert.That((string)secondEvents[^1]["session_id"]!, Is.EqualTo(sessionId));
        });
        var secondRequest = app.Model.Requests[^1];
        Assert.That(string.Join("\n", secondRequest.Select(m => m.Text)), Does.Contain("What is Bitcoin?"), "the first turn is given as context");
    }

    [Test]
    public async Task Query_SessionIdInQueryString_UsesThatSession()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();
        using var request = TestApp.QueryRequest("What is Bitcoin?");
        request.RequestUri = new Uri("/agent/query?session_id=" + sessionId, UriKind.Relative);

        using var response = await app.Client.SendAsync(request);
        await response.Content.ReadAsStringAsync();

        Assert.That((await app.Store.GetAsync(sessionId))!.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Query_SessionCookieOnly_UsesCookieSession()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();

        var (response, events) = await app.QueryAsync("What is Bitcoin?", configure: r => r.Headers.Add("Cookie", "session_id=" + sessionId));

        response.Dispose();
        Assert.That((string)events[^1]["session_id"]!, Is.EqualTo(sessionId));
    }

    [Test]
    public async Task Query_CookieOfExpiredSession_StartsNewSession()
    {
        await using var app = await TestApp.StartAsync();
        var stale = SessionId.New();

        var (response, events) = await app.QueryAsync("What is Bitcoin?", configure: r => r.Headers.Add("Cookie", "session_id=" + stale));

        using (response)
        {
            var sessionId = (string)events[^1]["session_id"]!;
            Assert.Multiple(() =>
            {
                Assert.That(sessionId, Is.Not.EqualTo(stale));
                Assert.That(Cookies.SessionIdFrom(response), Is.EqualTo(sessionId));
            });
        }
    }

    [Test]
    public async Task Query_FormContentTypeWithJsonBody_IsAcceptedLikeCurlDashD()
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/query")
        {
            Content = new StringContent("{\"query\":\"What is Bitcoin?\"}", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        using var response = await app.Client.SendAsync(request);
        var events = SseParser.Parse(await response.Content.ReadAsStringAsync()).ToList();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string)events[^1]["type"]!, Is.EqualTo("answer"));
    }

    [TestCase("{\"query\": ", TestName = "Query_TruncatedJson_Returns400Problem")]
    [TestCase("not json", TestName = "Query_NotJson_Returns400Problem")]
    [TestCase("[1, 2]", TestName = "Query_JsonArray_Returns400Problem")]
    [TestCase("{\"query\": 5}", TestName = "Query_QueryNotAString_Returns400Problem")]
    [TestCase("null", TestName = "Query_JsonNull_Returns400Problem")]
    [TestCase("", TestName = "Query_EmptyBody_Returns400Problem")]
    [TestCase("{}", TestName = "Query_NoQueryField_Returns400Problem")]
    [TestCase("{\"query\": \"   \"}", TestName = "Query_BlankQuery_Returns400Problem")]
    [TestCase("{\"query\": \"hi\", \"session_id\": \"bad id!\"}", TestName = "Query_MalformedSessionId_Returns400Problem")]
    [TestCase("{\"query\": \"hi\", \"session_id\": \"../../etc/passwd\"}", TestName = "Query_PathLikeSessionId_Returns400Problem")]
    public async Task Query_BadBody_Returns400Problem(string body)
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/query") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await app.Client.SendAsync(request);

        await Problems.ReadAsync(response, 400);
        Assert.That(app.Model.Requests, Is.Empty);
    }

    [Test]
    public async Task Query_QueryOverMaxLength_Returns400ProblemNamingTheLimit()
    {
        await using var app = await TestApp.StartAsync();

        var (response, _) = await app.QueryAsync(new string('a', 8001));

        using (response)
        {
            var problem = await Problems.ReadAsync(response, 400);
            Assert.That((string)problem["detail"]!, Does.Contain("8000"));
        }
    }

    [Test]
    public async Task Query_QueryAtMaxLength_IsAnswered()
    {
        await using var app = await TestApp.StartAsync();

        var (response, events) = await app.QueryAsync(new string('a', 8000));

        response.Dispose();
        Assert.That((string)events[^1]["type"]!, Is.EqualTo("answer"));
    }

    [Test]
    public async Task Query_ConfiguredMaxQueryLength_IsApplied()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Dexter:Sessions:MaxQueryLength"] = "10" });

        var (response, _) = await app.QueryAsync("eleven char");

        using (response)
        {
            await Problems.ReadAsync(response, 400);
        }
    }

    [Test]
    public async Task Query_BodyOverSizeLimit_Returns413Problem()
    {
        await using var app = await TestApp.StartAsync();
        var body = "{\"query\": \"" + new string('a', 70_000) + "\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/query") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await app.Client.SendAsync(request);

        await Problems.ReadAsync(response, 413);
    }

    [Test]
    public async Task Query_ChunkedBodyOverSizeLimit_Returns413Problem()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Dexter:Sessions:Endpoints:MaxRequestBodySize"] = "2048" });
        var bytes = Encoding.UTF8.GetBytes("{\"query\": \"" + new string('a', 5000) + "\"}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/query") { Content = new StreamContent(new MemoryStream(bytes)) };
        request.Content.Headers.ContentType = new("application/json");

        using var response = await app.Client.SendAsync(request);

        await Problems.ReadAsync(response, 413);
    }

    [TestCase("text/plain")]
    [TestCase("application/xml")]
    [TestCase("multipart/form-data; boundary=x")]
    public async Task Query_NonJsonContentType_Returns415Problem(string contentType)
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/query") { Content = new StringContent("{\"query\":\"hi\"}") };
        request.Content.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await app.Client.SendAsync(request);

        await Problems.ReadAsync(response, 415);
    }

    [Test]
    public async Task Query_FormBodyThatIsNotJson_Returns415Problem()
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/query")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("query", "hi")]),
        };

        using var response = await app.Client.SendAsync(request);

        await Problems.ReadAsync(response, 415);
    }

    [Test]
    public async Task Query_UnknownSession_Returns404Problem()
    {
        await using var app = await TestApp.StartAsync();

        var (response, _) = await app.QueryAsync("hi", SessionId.New());

        using (response)
        {
            await Problems.ReadAsync(response, 404);
        }

        Assert.That(app.Model.Requests, Is.Empty);
    }

    [Test]
    public async Task Query_StoreUnavailable_Returns503ProblemWithoutTheStoreAddress()
    {
        await using var app = await TestApp.StartAsync(services: s => s.AddDexterSessionsStore(new UnavailableSessionStore()));

        var (response, _) = await app.QueryAsync("hi");

        using (response)
        {
            var problem = await Problems.ReadAsync(response, 503);
            Assert.That((string)problem["detail"]!, Does.Contain("session store is unavailable").And.Not.Contain("127.0.0.1"));
        }
    }

    [TestCase("{\"query\": 5}", "$.query")]
    [TestCase("[]", "$")]
    [TestCase("{\"query\": \"hi\"", "$")]
    public async Task Query_BodyNotAQuery_Returns400ProblemSayingWhereWithoutTypeNames(string body, string path)
    {
        await using var app = await TestApp.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/query") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        using var response = await app.Client.SendAsync(request);

        var detail = (string)(await Problems.ReadAsync(response, 400))["detail"]!;
        Assert.Multiple(() =>
        {
            Assert.That(detail, Does.Contain("at " + path + " "));
            Assert.That(detail, Does.Not.Contain("System.").And.Not.Contain("Dexter.Sessions"));
        });
    }

    [Test]
    public async Task Query_StoreDownWhenRecording_SendsErrorEventWithoutTheStoreAddress()
    {
        await using var app = await TestApp.StartAsync(services: s => s.AddDexterSessionsStore(new AppendFailsSessionStore()));

        var (response, events) = await app.QueryAsync("hi");

        using (response)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var error = events[^1];
            Assert.Multiple(() =>
            {
                Assert.That((string)error["type"]!, Is.EqualTo("error"));
                Assert.That((string)error["error"]!, Does.Contain("session store is unavailable").And.Contain("Nothing was recorded"));
                Assert.That((string)error["error"]!, Does.Not.Contain("127.0.0.1"), "the store's address stays in the log");
            });
        }

        var logged = app.Logs.Entries.Single(e => e.Entry.EventId.Name == "QueryFailed").Entry;
        Assert.That(logged.Exception!.Message, Is.EqualTo(UnavailableSessionStore.Message));
    }

    [Test]
    public async Task Query_ModelFailsMidStream_SendsErrorEventAndRecordsNothing()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();
        app.Model.OnGetStreamingResponse = (_, _, ct) => FailAfterFirstToken(ct);

        var (response, events) = await app.QueryAsync("hi", sessionId, r => r.Headers.Add("X-Request-Id", "failing-request"));

        using (response)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(events, Has.Count.EqualTo(2));
            var error = events[1];
            Assert.Multiple(() =>
            {
                Assert.That((string)events[0]["type"]!, Is.EqualTo("token"));
                Assert.That((string)error["type"]!, Is.EqualTo("error"));
                Assert.That((string)error["error"]!, Does.Contain("nothing was recorded"));
                Assert.That((string)error["content"]!, Is.EqualTo((string)error["error"]!));
                Assert.That((string)error["request_id"]!, Is.EqualTo("failing-request"));
                Assert.That((string)error["session_id"]!, Is.EqualTo(sessionId));
                Assert.That((string)error["content"]!, Does.Not.Contain("model exploded"), "exception details stay in the log");
            });
        }

        var history = await app.Store.GetAsync(sessionId);
        Assert.That(history!.Count, Is.Zero);
        var logged = app.Logs.Entries.Single(e => e.Entry.EventId.Name == "QueryFailed").Entry;
        Assert.Multiple(() =>
        {
            Assert.That(logged.Message, Does.Contain("failing-request"));
            Assert.That(logged.Exception!.Message, Is.EqualTo("model exploded"));
        });

        static async IAsyncEnumerable<ChatResponseUpdate> FailAfterFirstToken([EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Partial");
            throw new InvalidOperationException("model exploded");
        }
    }

    [Test]
    public async Task Query_HistoryClearedWhileTheAnswerStreams_EndsWithAnErrorEvent_AndTheSessionStaysDeleted()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cleared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Model.OnGetStreamingResponse = (_, _, ct) => StreamUntilCleared(streaming, cleared, ct);

        var query = app.QueryAsync("What is Bitcoin?", sessionId);
        await streaming.Task;
        using (var clear = await app.Client.DeleteAsync("/agent/history?session_id=" + sessionId))
        {
            Assert.That(clear.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        cleared.SetResult();
        var (response, events) = await query;
        using (response)
        {
            Assert.Multiple(() =>
            {
                Assert.That((string)events[0]["type"]!, Is.EqualTo("token"));
                Assert.That((string)events[^1]["type"]!, Is.EqualTo("error"));
                Assert.That((string)events[^1]["error"]!, Is.EqualTo(AnswerEventStream.SessionDeletedDetail));
                Assert.That((string)events[^1]["session_id"]!, Is.EqualTo(sessionId));
            });
        }

        using var history = await app.Client.GetAsync("/agent/history?session_id=" + sessionId);
        Assert.Multiple(async () =>
        {
            Assert.That(await app.Store.ExistsAsync(sessionId), Is.False, "the cleared session does not come back");
            Assert.That(history.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(app.Logs.Entries.Select(e => e.Entry.Message), Has.None.Contains("Recorded turn"));
        });

        static async IAsyncEnumerable<ChatResponseUpdate> StreamUntilCleared(
            TaskCompletionSource streaming, TaskCompletionSource cleared, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Bitcoin ");
            streaming.TrySetResult();
            await cleared.Task.WaitAsync(cancellationToken);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "is a currency.");
        }
    }

    [Test]
    public async Task Query_FiftyInParallelOnOneSession_RecordsFiftyTurnsWithUniqueIds()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            var (response, events) = await app.QueryAsync("question " + i, sessionId);
            response.Dispose();
            return events[^1];
        }));

        Assert.That(results.Select(e => (string)e["type"]!), Is.All.EqualTo("answer"));
        var ids = results.Select(e => (int)e["message_id"]!).ToList();
        Assert.That(ids, Is.Unique);
        Assert.That(ids.Order(), Is.EqualTo(Enumerable.Range(1, 50)));
        var history = await app.Store.GetAsync(sessionId);
        Assert.That(history!.GetAll().Select(m => m.Id), Is.EqualTo(Enumerable.Range(1, 50)));
        Assert.That(history.GetAll().Select(m => m.Query), Is.EquivalentTo(Enumerable.Range(0, 50).Select(i => "question " + i)));
    }

    [Test]
    public async Task Query_OverRateLimit_Returns429WithRetryAfter()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["DEXTER_RATE_LIMIT_PER_MINUTE"] = "2" });
        var sessionId = await app.CreateSessionAsync();
        var other = await app.CreateSessionAsync();

        for (var i = 0; i < 2; i++)
        {
            var (ok, _) = await app.QueryAsync("hi", sessionId);
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            ok.Dispose();
        }

        var (limited, _) = await app.QueryAsync("hi", sessionId);
        var (otherSession, _) = await app.QueryAsync("hi", other);

        using (limited)
        using (otherSession)
        {
            await Problems.ReadAsync(limited, 429);
            var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Multiple(() =>
            {
                Assert.That(retryAfter, Is.InRange(1, 60));
                Assert.That(otherSession.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the limit is per session");
            });
        }

        Assert.That((await app.Store.GetAsync(sessionId))!.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task Query_RateLimitSectionKey_WinsOverEnvironmentVariable()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Dexter:Sessions:RateLimit:PermitsPerMinute"] = "1",
            ["DEXTER_RATE_LIMIT_PER_MINUTE"] = "100",
        });
        var sessionId = await app.CreateSessionAsync();

        var (first, _) = await app.QueryAsync("hi", sessionId);
        var (second, _) = await app.QueryAsync("hi", sessionId);

        using (first)
        using (second)
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        }
    }

    [Test]
    public async Task Query_EventStream_ParsesWithTheOriginalJavaScriptClientLogic()
    {
        await using var app = await TestApp.StartAsync();
        using var request = TestApp.QueryRequest("What is Bitcoin?");

        using var response = await app.Client.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();

        // A client that parses every chunk as one event: JSON.parse(decoder.decode(value).replace(/^data: /, "").trim()) for each chunk, then event.content.
        var chunks = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(raw, Does.EndWith("\n\n"));
        foreach (var chunk in chunks)
        {
            var json = System.Text.RegularExpressions.Regex.Replace(chunk, "^data: ", string.Empty).Trim();
            var parsed = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
            Assert.That(parsed.ContainsKey("content"), Is.True, chunk);
            Assert.That(parsed["content"]!.GetValueKind(), Is.EqualTo(System.Text.Json.JsonValueKind.String));
        }

        Assert.That(raw, Does.Not.Contain("event:").And.Not.Contain("\nid:"));
    }

    /// <summary>An in-memory store whose backend goes down when a turn is recorded.</summary>
    private sealed class AppendFailsSessionStore : ISessionStore
    {
        private readonly InMemorySessionStore _inner = new();

        public Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetAsync(sessionId, cancellationToken);

        public Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default) => _inner.SetAsync(sessionId, history, cancellationToken);

        public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.DeleteAsync(sessionId, cancellationToken);

        public Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.ExistsAsync(sessionId, cancellationToken);

        public Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default) => _inner.CreateAsync(sessionId, owner, cancellationToken);

        public Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetMetadataAsync(sessionId, cancellationToken);

        public Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default) =>
            throw new SessionStoreUnavailableException(UnavailableSessionStore.Message, "127.0.0.1:6390", sessionId, innerException: null);

        public Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default) => _inner.GetRecentAsync(sessionId, count, cancellationToken);

        public Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default) => _inner.UpdateEmbeddingsAsync(sessionId, messages, cancellationToken);

        public Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default) =>
            _inner.UpdateTurnSummaryAsync(sessionId, turnId, summary, cancellationToken);

        public Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetSummaryAsync(sessionId, cancellationToken);

        public Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default) =>
            _inner.TrySetSummaryAsync(sessionId, summary, expectedThroughTurnId, cancellationToken);
    }
}
