using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Tests.Agent;

/// <summary>The title a session gets after its first turn: from the question, then from the model unless the owner renamed it.</summary>
[TestFixture]
public sealed class SessionTurnPipelineTitleTests
{
    private static async Task RunTurnAsync(SessionTurnPipeline pipeline, string sessionId, string query)
    {
        using var turn = await pipeline.BeginTurnAsync(sessionId, [new ChatMessage(ChatRole.User, query)]);
        await turn.CompleteAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "An answer.")));
    }

    [Test]
    public async Task FirstTurn_TitlesTheSessionFromTheQuestion_LaterTurnsDoNot()
    {
        using var store = new InMemorySessionStore();
        var pipeline = new SessionTurnPipeline(store);
        var id = SessionId.New();

        await RunTurnAsync(pipeline, id, "What is Bitcoin?\nExplain simply.");
        await RunTurnAsync(pipeline, id, "And Ethereum?");

        var metadata = await store.GetMetadataAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(metadata!.Title, Is.EqualTo("What is Bitcoin?"));
            Assert.That(metadata.TitleSource, Is.EqualTo(SessionTitleSource.Question));
        });
    }

    [Test]
    public async Task ModelSummarizer_WritesTheTitleInTheBackground()
    {
        using var store = new InMemorySessionStore();
        using var model = new FakeChatClient
        {
            OnGetResponse = (messages, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant,
                messages[0].Text.StartsWith("Write a title", StringComparison.Ordinal) ? "\"Bitcoin explained\"" : "A summary."))),
        };
        await using var worker = new SessionSummaryWorker();
        var pipeline = new SessionTurnPipeline(store, new ChatClientSummarizer(model), worker: worker);
        var id = SessionId.New();

        await RunTurnAsync(pipeline, id, "What is Bitcoin?");
        await worker.WhenIdleAsync();

        var metadata = await store.GetMetadataAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(metadata!.Title, Is.EqualTo("Bitcoin explained"));
            Assert.That(metadata.TitleSource, Is.EqualTo(SessionTitleSource.Model));
        });
    }

    [Test]
    public async Task ModelTitle_NeverReplacesTheOwnersRename()
    {
        using var store = new InMemorySessionStore();
        var id = SessionId.New();
        using var model = new FakeChatClient
        {
            OnGetResponse = async (messages, _, _) =>
            {
                if (messages[0].Text.StartsWith("Write a title", StringComparison.Ordinal))
                {
                    // The owner renames the session while the model writes its title.
                    await store.SetTitleAsync(id, "Owner's name");
                }

                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "Model title"));
            },
        };
        await using var worker = new SessionSummaryWorker();
        var pipeline = new SessionTurnPipeline(store, new ChatClientSummarizer(model), worker: worker);

        await RunTurnAsync(pipeline, id, "What is Bitcoin?");
        await worker.WhenIdleAsync();

        Assert.That((await store.GetMetadataAsync(id))!.Title, Is.EqualTo("Owner's name"));
    }
}
