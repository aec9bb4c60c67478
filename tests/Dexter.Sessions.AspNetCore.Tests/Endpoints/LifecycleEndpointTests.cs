using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.AspNetCore.Tests;

public sealed class LifecycleEndpointTests
{
    private static async Task<string> SessionWithTurnsAsync(TestApp app, int count)
    {
        var sessionId = await app.CreateSessionAsync();
        for (var i = 1; i <= count; i++)
        {
            var (response, _) = await app.QueryAsync("q" + i, sessionId);
            response.Dispose();
        }

        return sessionId;
    }

    private static Task<HttpResponseMessage> PostAsync(TestApp app, string path, JsonObject body) =>
        app.Client.PostAsJsonAsync(path, body);

    [Test]
    public async Task Rewind_RemovesTheLaterTurns_AndAnswersWithTheNewCount()
    {
        await using var app = await TestApp.StartAsync(kestrel: true);
        var sessionId = await SessionWithTurnsAsync(app, 3);

        using var response = await PostAsync(app, "/agent/session/rewind",
            new JsonObject { ["session_id"] = sessionId, ["through_turn_id"] = 1, ["expected_last_turn_id"] = 3 });
        var body = await response.ReadJsonAsync();
        var (next, events) = await app.QueryAsync("q2 again", sessionId);
        next.Dispose();

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.ToJsonString(), Is.EqualTo(
                $$"""{"session_id":"{{sessionId}}","status":"rewound","last_turn_id":1,"turns":1,"removed_turns":2}"""));
            Assert.That((int)events[^1]["message_id"]!, Is.EqualTo(2));
            Assert.That((await app.Store.GetAsync(sessionId))!.GetAll().Select(t => t.Query), Is.EqualTo(new[] { "q1", "q2 again" }));
        });
    }

    [Test]
    public async Task Rewind_LastTurnNotTheExpectedOne_Returns409AndRemovesNothing()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await SessionWithTurnsAsync(app, 2);

        using var response = await PostAsync(app, "/agent/session/rewind",
            new JsonObject { ["session_id"] = sessionId, ["through_turn_id"] = 0, ["expected_last_turn_id"] = 1 });
        var problem = await response.ReadJsonAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That((string)problem["detail"]!, Does.Contain("last turn is 2, not 1"));
            Assert.That((await app.Store.GetAsync(sessionId))!.Count, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Rewind_UnknownSession_Returns404()
    {
        await using var app = await TestApp.StartAsync();

        using var response = await PostAsync(app, "/agent/session/rewind", new JsonObject { ["session_id"] = SessionId.New(), ["through_turn_id"] = 0 });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Rewind_NegativeTurn_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await SessionWithTurnsAsync(app, 1);

        using var response = await PostAsync(app, "/agent/session/rewind", new JsonObject { ["session_id"] = sessionId, ["through_turn_id"] = -1 });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Fork_Returns201WithANewSessionOfTheCallerThatNamesItsOrigin()
    {
        await using var app = await TestApp.StartAsync(kestrel: true);
        var sessionId = await SessionWithTurnsAsync(app, 3);

        using var response = await PostAsync(app, "/agent/session/fork", new JsonObject { ["session_id"] = sessionId, ["through_turn_id"] = 2 });
        var body = await response.ReadJsonAsync();
        var forkId = (string)body["session_id"]!;

        var metadata = await app.Store.GetMetadataAsync(forkId);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(forkId, Is.Not.EqualTo(sessionId));
            Assert.That(((string)body["status"]!, (string)body["forked_from_session_id"]!, (int)body["forked_from_turn_id"]!, (int)body["turns"]!),
                Is.EqualTo(("forked", sessionId, 2, 2)));
            Assert.That(Cookies.SessionIdFrom(response), Is.EqualTo(forkId));
            Assert.That((metadata!.ForkedFromSessionId, metadata.ForkedFromTurnId), Is.EqualTo((sessionId, (int?)2)));
            Assert.That((await app.Store.GetAsync(forkId))!.GetAll().Select(t => t.Query), Is.EqualTo(new[] { "q1", "q2" }));
            Assert.That((await app.Store.GetAsync(sessionId))!.Count, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task Fork_BeyondTheLastTurn_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await SessionWithTurnsAsync(app, 1);

        using var response = await PostAsync(app, "/agent/session/fork", new JsonObject { ["session_id"] = sessionId, ["through_turn_id"] = 5 });
        var problem = await response.ReadJsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string)problem["detail"]!, Does.Contain("ends at turn 1"));
        });
    }

    [Test]
    public async Task Query_RetriedWithTheSameIdempotencyKey_StreamsTheRecordedAnswerWithoutCallingTheModel()
    {
        await using var app = await TestApp.StartAsync(kestrel: true);
        var sessionId = await app.CreateSessionAsync();

        var (first, firstEvents) = await app.QueryAsync("What is Bitcoin?", sessionId, r => r.Headers.Add("Idempotency-Key", "7f9c2b"));
        var (retry, retryEvents) = await app.QueryAsync("What is Bitcoin?", sessionId, r => r.Headers.Add("Idempotency-Key", "7f9c2b"));
        first.Dispose();
        retry.Dispose();

        Assert.Multiple(async () =>
        {
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(retry.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/event-stream"));
            Assert.That(retryEvents.Select(e => (string)e["type"]!), Is.EqualTo(new[] { "token", "answer" }));
            Assert.That((string)retryEvents[0]["content"]!, Is.EqualTo("Answer to: What is Bitcoin?"));
            Assert.That(((string)retryEvents[^1]["content"]!, (int)retryEvents[^1]["message_id"]!),
                Is.EqualTo(((string)firstEvents[^1]["content"]!, (int)firstEvents[^1]["message_id"]!)));
            Assert.That(app.Model.Requests, Has.Count.EqualTo(1));
            Assert.That((await app.Store.GetAsync(sessionId))!.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Query_IdempotencyKeyUsedForAnotherQuestion_Returns422AndRecordsNothing()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();
        var (first, _) = await app.QueryAsync("What is Bitcoin?", sessionId, r => r.Headers.Add("Idempotency-Key", "k-1"));
        first.Dispose();

        var (reused, _) = await app.QueryAsync("What is Ether?", sessionId, r => r.Headers.Add("Idempotency-Key", "k-1"));
        using (reused)
        {
            var problem = await reused.ReadJsonAsync();
            Assert.Multiple(async () =>
            {
                Assert.That(reused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
                Assert.That((string)problem["detail"]!, Does.Contain("'k-1'").And.Contain("different question"));
                Assert.That(app.Model.Requests, Has.Count.EqualTo(1));
                Assert.That((await app.Store.GetAsync(sessionId))!.Count, Is.EqualTo(1));
            });
        }
    }

    [Test]
    public async Task Query_InvalidIdempotencyKey_Returns400()
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();

        var (response, _) = await app.QueryAsync("q", sessionId, r => r.Headers.TryAddWithoutValidation("Idempotency-Key", new string('x', 200)));
        using (response)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
    }

    [Test]
    public async Task Query_ConcurrentDuplicatePosts_RecordExactlyOneTurnAndBothStreamIt()
    {
        await using var app = await TestApp.StartAsync(kestrel: true);
        var sessionId = await app.CreateSessionAsync();
        var bothAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = 0;
        app.Model.OnGetStreamingResponse = (_, _, ct) => Answer(Interlocked.Increment(ref asked), bothAsked, ct);

        var results = await Task.WhenAll(
            app.QueryAsync("q", sessionId, r => r.Headers.Add("Idempotency-Key", "dup")),
            app.QueryAsync("q", sessionId, r => r.Headers.Add("Idempotency-Key", "dup")));
        foreach (var (response, _) in results)
        {
            response.Dispose();
        }

        var stored = (await app.Store.GetAsync(sessionId))!.GetAll();
        Assert.Multiple(() =>
        {
            Assert.That(asked, Is.EqualTo(2), "both requests reached the model before either recorded");
            Assert.That(stored, Has.Count.EqualTo(1));
            Assert.That(results.Select(r => ((string)r.Events[^1]["type"]!, (int?)r.Events[^1]["message_id"], (string)r.Events[^1]["content"]!)),
                Is.EqualTo(new[] { ("answer", (int?)1, stored[0].Answer), ("answer", (int?)1, stored[0].Answer) }));
        });

        static async IAsyncEnumerable<ChatResponseUpdate> Answer(int n, TaskCompletionSource bothAsked, [EnumeratorCancellation] CancellationToken ct)
        {
            if (n == 2)
            {
                bothAsked.SetResult();
            }

            await bothAsked.Task.WaitAsync(ct);
            yield return new ChatResponseUpdate(ChatRole.Assistant, "answer " + n);
        }
    }
}
