using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Tests.Agent;

public sealed class DexterAgentResponseTests
{
    private static readonly Message Turn = new() { Id = 2, Query = "q", Answer = "the answer" };

    [Test]
    public void Constructor_KeepsItsArguments_AndAnswerComesFromTheTurn()
    {
        Message[] context = [new Message { Id = 1, Query = "q1", Answer = "a1" }];
        var modelResponse = new ChatResponse(new ChatMessage(ChatRole.Assistant, "the answer"));

        var response = new DexterAgentResponse("s1", Turn, context, modelResponse);

        Assert.Multiple(() =>
        {
            Assert.That(response.SessionId, Is.EqualTo("s1"));
            Assert.That(response.Turn, Is.SameAs(Turn));
            Assert.That(response.Context, Is.SameAs(context));
            Assert.That(response.ModelResponse, Is.SameAs(modelResponse));
            Assert.That(response.Answer, Is.EqualTo("the answer"));
            Assert.That(response.ToString(), Is.EqualTo("the answer"));
        });
    }

    [Test]
    public void Constructor_NullArguments_ThrowNamingThem()
    {
        var modelResponse = new ChatResponse();

        Assert.Multiple(() =>
        {
            Assert.That(() => new DexterAgentResponse(null, null!, [], modelResponse), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("turn"));
            Assert.That(() => new DexterAgentResponse(null, Turn, null!, modelResponse), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("context"));
            Assert.That(() => new DexterAgentResponse(null, Turn, [], null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("modelResponse"));
            Assert.That(new DexterAgentResponse(null, Turn, [], modelResponse).SessionId, Is.Null);
        });
    }

    [Test]
    public void DexterAgentUpdate_KeepsKindSessionAndText()
    {
        var update = new DexterAgentUpdate(DexterAgentUpdateKind.Completed, "s1") { Text = "done", Turn = Turn };

        Assert.Multiple(() =>
        {
            Assert.That(update.Kind, Is.EqualTo(DexterAgentUpdateKind.Completed));
            Assert.That(update.SessionId, Is.EqualTo("s1"));
            Assert.That(update.Turn, Is.SameAs(Turn));
            Assert.That(update.ToString(), Is.EqualTo("done"));
            Assert.That(new DexterAgentUpdate(DexterAgentUpdateKind.Token, "s1").Text, Is.Empty);
        });
    }
}
