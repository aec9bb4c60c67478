using System.Runtime.CompilerServices;
using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Tests.Agent;

/// <summary>A session deleted (history cleared) while its answer is produced stays deleted: the delete wins over the turn.</summary>
public sealed class DexterAgentDeleteRaceTests : AgentTestBase
{
    private TaskCompletionSource _answering = null!;
    private TaskCompletionSource _release = null!;
    private bool _block;

    [SetUp]
    public void BlockTheModelOnDemand()
    {
        _answering = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _block = false;
        _model.OnGetResponse = async (messages, _, cancellationToken) =>
        {
            if (_block)
            {
                _answering.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, FakeChatClient.DefaultAnswer(messages)));
        };
        _model.OnGetStreamingResponse = (messages, _, cancellationToken) => Stream(FakeChatClient.DefaultAnswer(messages), cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> Stream(string answer, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new ChatResponseUpdate(ChatRole.Assistant, "So: ");
        if (_block)
        {
            _answering.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, answer);
    }

    [Test]
    public async Task RunAsync_SessionDeletedWhileTheModelAnswers_RecordsNothing_AndThrowsSessionDeleted()
    {
        var agent = Create();
        await agent.RunAsync("What is Bitcoin?", _sessionId);
        _block = true;

        var run = agent.RunAsync("Why is it valuable?", _sessionId);
        await _answering.Task;
        var deleted = await _store.DeleteAsync(_sessionId);
        _release.SetResult();

        var e = Assert.ThrowsAsync<SessionDeletedException>(() => run);
        Assert.Multiple(async () =>
        {
            Assert.That(deleted, Is.True);
            Assert.That(e!.SessionId, Is.EqualTo(_sessionId));
            Assert.That(e.Message, Does.Contain("was deleted while this turn was answered; the turn was not recorded"));
            Assert.That(await _store.ExistsAsync(_sessionId), Is.False, "the cleared session does not come back");
            Assert.That(_logger.Entries.Where(l => l.EventId.Id == 1000).Select(l => l.Message).ToList(),
                Has.Count.EqualTo(1).And.One.StartsWith("Recorded turn 1 "), "only the first turn was recorded");
        });
    }

    [Test]
    public async Task RunAsync_CreatedSessionWithNoTurnDeletedWhileTheModelAnswers_StaysDeleted()
    {
        // The web page's case: POST /session, the first question, then "Clear history" while it streams.
        var agent = Create();
        await _store.CreateAsync(_sessionId);
        _block = true;

        var run = agent.RunAsync("What is Bitcoin?", _sessionId);
        await _answering.Task;
        await _store.DeleteAsync(_sessionId);
        _release.SetResult();

        Assert.ThrowsAsync<SessionDeletedException>(() => run);
        Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
    }

    [Test]
    public async Task RunStreamingAsync_SessionDeletedMidStream_EndsWithSessionDeleted_AndRecordsNothing()
    {
        var agent = Create();
        await agent.RunAsync("What is Bitcoin?", _sessionId);
        _block = true;

        var seen = new List<string>();
        var stream = Task.Run(async () =>
        {
            await foreach (var update in agent.RunStreamingAsync("Why is it valuable?", _sessionId))
            {
                seen.Add(update.Text);
            }
        });
        await _answering.Task;
        await _store.DeleteAsync(_sessionId);
        _release.SetResult();

        Assert.ThrowsAsync<SessionDeletedException>(() => stream);
        Assert.Multiple(async () =>
        {
            Assert.That(seen, Does.Contain("So: "), "the caller saw the answer begin");
            Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
        });
    }

    [Test]
    public async Task RunAsync_NewSessionId_StillCreatesTheSessionOnItsFirstTurn()
    {
        var agent = Create();

        var response = await agent.RunAsync("What is Bitcoin?", _sessionId);

        Assert.Multiple(async () =>
        {
            Assert.That(response.Turn.Id, Is.EqualTo(1));
            Assert.That(await _store.ExistsAsync(_sessionId), Is.True);
        });
    }
}
