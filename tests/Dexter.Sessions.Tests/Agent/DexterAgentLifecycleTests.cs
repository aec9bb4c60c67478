using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Tests.Agent;

public sealed class DexterAgentLifecycleTests : AgentTestBase
{
    [Test]
    public async Task RunOnceAsync_SameKeyTwice_CallsTheModelOnceAndReturnsTheRecordedTurn()
    {
        var agent = Create();

        var first = await agent.RunOnceAsync("What is Bitcoin?", _sessionId, "key-1");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var retry = await agent.RunOnceAsync("What is Bitcoin?", _sessionId, "key-1");

        Assert.Multiple(async () =>
        {
            Assert.That(_model.Requests, Has.Count.EqualTo(1));
            Assert.That((first.Replayed, retry.Replayed), Is.EqualTo((false, true)));
            Assert.That(retry.Turn.Id, Is.EqualTo(first.Turn.Id));
            Assert.That(retry.Answer, Is.EqualTo(first.Answer));
            Assert.That(retry.ModelResponse.Text, Is.EqualTo(first.Answer));
            Assert.That(await Stored(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task RunOnceAsync_Retry_IsOneStoreCallAndNoModelCall()
    {
        var (counted, counter) = CallCountingStore.Wrap(_store);
        var agent = new DexterAgent(_model, counted, timeProvider: _clock);
        var first = await agent.RunOnceAsync("What is Bitcoin?", _sessionId, "key-1");
        counter.Reset();

        var retry = await agent.RunOnceAsync("What is Bitcoin?", _sessionId, "key-1");

        Assert.Multiple(() =>
        {
            Assert.That(retry.Replayed, Is.True);
            Assert.That(retry.Turn.Id, Is.EqualTo(first.Turn.Id));
            Assert.That(counter.Calls, Is.EquivalentTo(new Dictionary<string, int> { [nameof(ISessionStore.GetTurnByKeyAsync)] = 1 }));
            Assert.That(_model.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task RunStreamingOnceAsync_Retry_IsOneStoreCallAndNoModelCall()
    {
        var (counted, counter) = CallCountingStore.Wrap(_store);
        var agent = new DexterAgent(_model, counted, timeProvider: _clock);
        await agent.RunOnceAsync("What is Bitcoin?", _sessionId, "key-1");
        counter.Reset();

        var updates = new List<DexterAgentUpdate>();
        await foreach (var update in agent.RunStreamingOnceAsync("What is Bitcoin?", _sessionId, "key-1"))
        {
            updates.Add(update);
        }

        Assert.Multiple(() =>
        {
            Assert.That(updates.Select(u => u.Replayed), Is.All.True);
            Assert.That(counter.Calls, Is.EquivalentTo(new Dictionary<string, int> { [nameof(ISessionStore.GetTurnByKeyAsync)] = 1 }));
            Assert.That(_model.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task RunOnceAsync_KeyUsedForAnotherQuestion_ThrowsAndCallsNoModel()
    {
        var agent = Create();
        await agent.RunOnceAsync("What is Bitcoin?", _sessionId, "key-1");

        var thrown = Assert.ThrowsAsync<TurnKeyConflictException>(() => agent.RunOnceAsync("What is Ether?", _sessionId, "key-1"));

        Assert.Multiple(async () =>
        {
            Assert.That(thrown!.Message, Does.Contain("'key-1'").And.Contain("turn 1").And.Contain("new key"));
            Assert.That(_model.Requests, Has.Count.EqualTo(1));
            Assert.That(await Stored(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task RunOnceAsync_ConcurrentRunsWithOneKey_RecordOneTurnAndBothReturnIt()
    {
        var agent = Create();
        var bothAsked = new TaskCompletionSource();
        var asked = 0;
        _model.OnGetResponse = async (messages, _, _) =>
        {
            var n = Interlocked.Increment(ref asked);
            if (n == 2)
            {
                bothAsked.SetResult();
            }

            await bothAsked.Task;
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer " + n));
        };

        var results = await Task.WhenAll(
            Task.Run(() => agent.RunOnceAsync("q", _sessionId, "same")),
            Task.Run(() => agent.RunOnceAsync("q", _sessionId, "same")));

        var stored = await Stored();
        Assert.Multiple(() =>
        {
            Assert.That(stored, Has.Count.EqualTo(1));
            Assert.That(results.Select(r => (r.Turn.Id, r.Answer)), Is.EqualTo(new[] { (1, stored[0].Answer), (1, stored[0].Answer) }));
        });
    }

    [Test]
    public async Task RunStreamingOnceAsync_Retry_StreamsTheRecordedAnswerMarkedReplayed()
    {
        var agent = Create();
        await agent.RunOnceAsync("q", _sessionId, "key-1");

        var updates = new List<DexterAgentUpdate>();
        await foreach (var update in agent.RunStreamingOnceAsync("q", _sessionId, "key-1"))
        {
            updates.Add(update);
        }

        Assert.Multiple(() =>
        {
            Assert.That(updates.Select(u => (u.Kind, u.Text, u.Replayed)), Is.EqualTo(new[]
            {
                (DexterAgentUpdateKind.Token, "Answer to: q", true),
                (DexterAgentUpdateKind.Completed, "Answer to: q", true),
            }));
            Assert.That(updates[1].Turn?.Id, Is.EqualTo(1));
            Assert.That(_model.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task RunStreamingOnceAsync_RetryAfterAStop_AsksTheModelAgain_AndKeepsTheStoppedAnswerBesideTheWholeOne()
    {
        var agent = Create();
        await foreach (var update in agent.RunStreamingOnceAsync("What is Bitcoin?", _sessionId, "key-1"))
        {
            break; // the connection dropped after the first word
        }

        var retried = new List<DexterAgentUpdate>();
        await foreach (var update in agent.RunStreamingOnceAsync("What is Bitcoin?", _sessionId, "key-1"))
        {
            retried.Add(update);
        }

        var again = await agent.RunOnceAsync("What is Bitcoin?", _sessionId, "key-1");
        var stored = await Stored();
        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(t => (t.Id, t.Interrupted)), Is.EqualTo(new[] { (1, true), (2, false) }),
                "the stopped answer holds no key: the retry gets a whole answer");
            Assert.That(retried.Any(u => u.Replayed), Is.False);
            Assert.That(retried[^1].Turn!.Answer, Is.EqualTo("Answer to: What is Bitcoin?"));
            Assert.That(again.Replayed, Is.True, "a later retry replays the whole answer");
            Assert.That(again.Turn.Id, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task RegenerateAsync_AsksTheLastQuestionAgainWithoutItsOldAnswerAndRecordsTheNewOneAsTheSameTurn()
    {
        var agent = Create();
        var calls = 0;
        _model.OnGetResponse = (messages, _, _) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer {Interlocked.Increment(ref calls)} to {messages[^1].Text}")));
        await agent.RunAsync("q1", _sessionId);
        await agent.RunAsync("q2", _sessionId);

        var regenerated = await agent.RegenerateAsync(_sessionId);

        var stored = await Stored();
        Assert.Multiple(() =>
        {
            Assert.That(regenerated.Turn.Id, Is.EqualTo(2));
            Assert.That(regenerated.Answer, Is.EqualTo("answer 3 to q2"));
            Assert.That(stored.Select(t => (t.Id, t.Answer)), Is.EqualTo(new[] { (1, "answer 1 to q1"), (2, "answer 3 to q2") }));
            Assert.That(_model.Requests[2][0].Text, Does.Contain("answer 1 to q1").And.Not.Contain("answer 2 to q2"));
        });
    }

    [Test]
    public async Task RegenerateStreamingAsync_StreamsTheNewAnswer()
    {
        var agent = Create();
        await agent.RunAsync("q1", _sessionId);

        var updates = new List<DexterAgentUpdate>();
        await foreach (var update in agent.RegenerateStreamingAsync(_sessionId))
        {
            updates.Add(update);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(updates[^1].Kind, Is.EqualTo(DexterAgentUpdateKind.Completed));
            Assert.That(updates[^1].Turn?.Id, Is.EqualTo(1));
            Assert.That(await Stored(), Has.Count.EqualTo(1));
            Assert.That(_model.Requests, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void RegenerateAsync_SessionWithoutTurns_Throws()
    {
        var agent = Create();

        Assert.That(() => agent.RegenerateAsync(_sessionId), Throws.InvalidOperationException.With.Message.Contains("no turn to answer again"));
    }

    [Test]
    public async Task EditAsync_ForksBeforeTheTurnAndAsksTheEditedQuestion_LeavingTheOriginalUnchanged()
    {
        var agent = Create();
        await _store.CreateAsync(_sessionId, "alice");
        await agent.RunAsync("q1", _sessionId);
        await agent.RunAsync("q2", _sessionId);
        await agent.RunAsync("q3", _sessionId);

        var edited = await agent.EditAsync(_sessionId, 2, "q2 edited");

        var fork = await _store.GetAsync(edited.SessionId!);
        var metadata = await _store.GetMetadataAsync(edited.SessionId!);
        Assert.Multiple(async () =>
        {
            Assert.That(edited.SessionId, Is.Not.EqualTo(_sessionId));
            Assert.That(edited.Turn.Id, Is.EqualTo(2));
            Assert.That(fork!.GetAll().Select(t => t.Query), Is.EqualTo(new[] { "q1", "q2 edited" }));
            Assert.That((metadata!.Owner, metadata.ForkedFromSessionId, metadata.ForkedFromTurnId), Is.EqualTo(("alice", _sessionId, (int?)1)));
            Assert.That((await Stored()).Select(t => t.Query), Is.EqualTo(new[] { "q1", "q2", "q3" }));
            Assert.That(_model.Requests[^1][0].Text, Does.Contain("q1").And.Not.Contain("q3"));
        });
    }

    [Test]
    public async Task EditAsync_TurnAfterTheLast_ThrowsAndCreatesNoSession()
    {
        var agent = Create();
        await agent.RunAsync("q1", _sessionId);

        Assert.That(() => agent.EditAsync(_sessionId, 2, "q"), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("ends at turn 1"));
        Assert.That(_store.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task RewindAsync_ThenAnotherQuestion_ContextHoldsOnlyTheKeptTurns()
    {
        var agent = Create();
        await agent.RunAsync("q1", _sessionId);
        await agent.RunAsync("q2", _sessionId);
        await agent.RunAsync("q3", _sessionId);

        var result = await agent.RewindAsync(_sessionId, 1, expectedLastTurnId: 3);
        var next = await agent.RunAsync("q2 again", _sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(new RewindResult(RewindStatus.Rewound, 1, 2)));
            Assert.That(next.Turn.Id, Is.EqualTo(2));
            Assert.That(next.Context.Select(t => t.Query), Is.EqualTo(new[] { "q1" }));
            Assert.That(_model.Requests[^1][0].Text, Does.Not.Contain("q3"));
        });
    }

    [Test]
    public async Task ExportSessionAsync_Fork_CarriesItsOriginThroughTheDocument()
    {
        var agent = Create();
        await agent.RunAsync("q1", _sessionId);
        var edited = await agent.EditAsync(_sessionId, 1, "q1 edited");

        var export = await _store.ExportSessionAsync(edited.SessionId!, _clock);
        var parsed = SessionExport.Parse(export!.ToUtf8Json());

        Assert.Multiple(() =>
        {
            Assert.That((parsed.Metadata.ForkedFromSessionId, parsed.Metadata.ForkedFromTurnId), Is.EqualTo((_sessionId, (int?)0)));
            Assert.That(System.Text.Encoding.UTF8.GetString(export.ToUtf8Json()), Does.Contain("\"forked_from_session_id\""));
        });
    }
}
