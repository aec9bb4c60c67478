using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>Streaming over a real Kestrel server on a loopback port, with a model the test controls step by step.</summary>
public sealed class KestrelStreamingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Query_OnKestrel_ClientReceivesFirstTokenBeforeModelProducesItsLast()
    {
        await using var app = await TestApp.StartAsync(kestrel: true);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lastProduced = false;
        app.Model.OnGetStreamingResponse = (_, _, ct) => Gated(release.Task, () => lastProduced = true, ct);
        using var request = TestApp.QueryRequest("hi");

        using var response = await app.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Patience);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await ReadEventAsync(reader).WaitAsync(Patience);

        Assert.Multiple(() =>
        {
            Assert.That((string)first["type"]!, Is.EqualTo("token"));
            Assert.That((string)first["content"]!, Is.EqualTo("First"));
            Assert.That(lastProduced, Is.False, "the model is still held at its gate");
        });

        release.SetResult();
        var rest = new List<JsonObject>();
        JsonObject next;
        do
        {
            next = await ReadEventAsync(reader).WaitAsync(Patience);
            rest.Add(next);
        }
        while ((string)next["type"]! == "token");

        Assert.Multiple(() =>
        {
            Assert.That(lastProduced, Is.True);
            Assert.That(rest.Select(e => (string)e["content"]!), Is.EqualTo(new[] { " last", "First last" }));
            Assert.That((string)rest[^1]["type"]!, Is.EqualTo("answer"));
        });

        static async IAsyncEnumerable<ChatResponseUpdate> Gated(Task gate, Action onLast, [EnumeratorCancellation] CancellationToken ct)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, "First");
            await gate.WaitAsync(ct);
            onLast();
            yield return new ChatResponseUpdate(ChatRole.Assistant, " last");
        }
    }

    [Test]
    public async Task Query_ClientDisconnects_KeepsThePartialAnswerMarkedInterrupted_EverywhereTheTurnIsRead()
    {
        await using var app = await TestApp.StartAsync(kestrel: true);
        var sessionId = await app.CreateSessionAsync();
        var modelCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Model.OnGetStreamingResponse = (_, _, ct) => UntilCancelled(modelCancelled, ct);

        using (var request = TestApp.QueryRequest("What is Bitcoin?", sessionId))
        using (var response = await app.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Patience))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var first = await ReadEventAsync(reader).WaitAsync(Patience);
            Assert.That((string)first["content"]!, Is.EqualTo("Thinking"));
        } // the client goes away: its connection is closed mid-answer

        await modelCancelled.Task.WaitAsync(Patience);
        Assert.That(await PollAsync(() => app.Logs.Entries.Any(e => e.Entry.EventId.Name == "QueryInterrupted")), Is.True);
        var turn = (await app.Store.GetAsync(sessionId))!.GetAll().Single();
        var trail = await ((ISessionAuditStore)app.Store).GetAuditEventsAsync(sessionId);

        app.Model.OnGetStreamingResponse = null; // the next question is answered whole
        (await app.QueryAsync("Go on", sessionId)).Response.Dispose();
        var nextInput = string.Join("\n", app.Model.Requests[^1].Select(m => m.Text));
        var history = await (await app.Client.GetAsync("/agent/history?session_id=" + sessionId)).ReadJsonAsync();
        var stats = await (await app.Client.GetAsync("/agent/stats?session_id=" + sessionId)).ReadJsonAsync();
        var export = await (await app.Client.GetAsync("/agent/export?session_id=" + sessionId)).ReadJsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(turn.Query, Is.EqualTo("What is Bitcoin?"));
            Assert.That(turn.Answer, Is.EqualTo("Thinking"), "what the client was shown");
            Assert.That(turn.Interrupted, Is.True);
            Assert.That(trail.Where(e => e.Action == SessionAuditAction.Interrupted).Select(e => e.TurnId), Is.EqualTo(new int?[] { 1 }));
            Assert.That(nextInput, Does.Contain("Thinking").And.Contain(TextContextFormat.InterruptedNote), "the next turn's context shows it stopped");
            Assert.That(history["messages"]!.AsArray().Select(m => (bool)m!["interrupted"]!), Is.EqualTo(new[] { true, false }));
            Assert.That((int)stats["interrupted_turns"]!, Is.EqualTo(1));
            Assert.That(stats["per_turn"]!.AsArray().Select(t => (bool)t!["interrupted"]!), Is.EqualTo(new[] { true, false }));
            Assert.That((bool?)export["turns"]![0]!["interrupted"], Is.True);
            Assert.That(export["turns"]![1]!["interrupted"], Is.Null, "a whole answer carries no mark");
        });
    }

    [Test]
    public async Task Query_ClientDisconnects_WithRecordInterruptedTurnsOff_CancelsModelCallAndRecordsNothing()
    {
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?> { ["Dexter:Sessions:RecordInterruptedTurns"] = "false" }, kestrel: true);
        var sessionId = await app.CreateSessionAsync();
        var modelCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Model.OnGetStreamingResponse = (_, _, ct) => UntilCancelled(modelCancelled, ct);

        using (var request = TestApp.QueryRequest("hi", sessionId))
        using (var response = await app.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Patience))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            var first = await ReadEventAsync(reader).WaitAsync(Patience);
            Assert.That((string)first["content"]!, Is.EqualTo("Thinking"));
        }

        await modelCancelled.Task.WaitAsync(Patience);
        Assert.That((await app.Store.GetAsync(sessionId))!.Count, Is.Zero);
        Assert.That(await PollAsync(() => app.Logs.Entries.Any(e => e.Entry.EventId.Name == "QueryCancelled")), Is.True);
    }

    [Test]
    public async Task Query_OnKestrel_ResponseIsNotBufferedOrCompressed()
    {
        await using var app = await TestApp.StartAsync(kestrel: true);

        var (response, events) = await app.QueryAsync("hi");

        using (response)
        {
            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/event-stream"));
                Assert.That(response.Headers.CacheControl?.NoCache, Is.True);
                Assert.That(response.Headers.GetValues("X-Accel-Buffering").Single(), Is.EqualTo("no"));
                Assert.That((string)events[^1]["type"]!, Is.EqualTo("answer"));
            });
        }
    }

    private static async Task<JsonObject> ReadEventAsync(StreamReader reader)
    {
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonNode.Parse(line["data: ".Length..])!.AsObject();
            }
        }

        throw new AssertionException("The stream ended before the next event.");
    }

    /// <summary>A model that writes "Thinking", then waits until its call is cancelled, and says so.</summary>
    private static async IAsyncEnumerable<ChatResponseUpdate> UntilCancelled(TaskCompletionSource cancelled, [EnumeratorCancellation] CancellationToken ct)
    {
        yield return new ChatResponseUpdate(ChatRole.Assistant, "Thinking");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        finally
        {
            if (ct.IsCancellationRequested)
            {
                cancelled.TrySetResult();
            }
        }
    }

    private static async Task<bool> PollAsync(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        return condition();
    }
}
