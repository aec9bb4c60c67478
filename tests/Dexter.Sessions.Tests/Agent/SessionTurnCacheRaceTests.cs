using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Agent;

public sealed class SessionTurnCacheRaceTests : AgentTestBase
{
    [Test]
    public async Task ExplainContextAsync_SessionDeletedAndRecreatedWhileATurnWasAnswered_ShowsNoDeletedTurn()
    {
        var pipeline = new SessionTurnPipeline(_store, options: Options.Create(new DexterSessionsOptions()), timeProvider: _clock, logger: _logger);
        for (var i = 1; i <= 3; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await _store.AppendAsync(_sessionId, new Message { Query = "Deleted secret " + i, Answer = "a", CreatedAt = _clock.GetUtcNow() });
        }

        using (var turn = await pipeline.BeginTurnAsync(_sessionId, [new ChatMessage(ChatRole.User, "Hello again")]))
        {
            // While the model answers, the user deletes the session and another instance starts it again with three turns.
            await _store.DeleteAsync(_sessionId);
            for (var i = 1; i <= 3; i++)
            {
                _clock.Advance(TimeSpan.FromSeconds(1));
                await _store.AppendAsync(_sessionId, new Message { Query = "New question " + i, Answer = "a", CreatedAt = _clock.GetUtcNow() });
            }

            await turn.CompleteAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hi.")));
        }

        var explanation = await pipeline.ExplainContextAsync(_sessionId, "Deleted secret");

        Assert.Multiple(() =>
        {
            Assert.That(explanation.ConsideredTurns, Is.EqualTo(4));
            Assert.That(explanation.Messages.Select(m => m.Text), Has.None.Contains("Deleted secret"), "a deleted turn reached the context");
        });
    }
}
