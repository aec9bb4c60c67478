using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Tests.Diagnostics;

/// <summary>The model's own chat span, under a turn, carries the turn's <c>gen_ai.conversation.id</c>.</summary>
public sealed class ModelSpanTests : AgentTestBase
{
    [Test]
    public async Task RunAsync_ModelWithOpenTelemetry_ItsChatSpanCarriesTheConversationId()
    {
        using var activities = new ActivityRecorder(_ => true);
        using var instrumented = _model.AsBuilder().UseOpenTelemetry().Build();
        var agent = new DexterAgent(instrumented, _store, timeProvider: _clock);

        await agent.RunAsync("What is Bitcoin?", _sessionId);

        var turn = activities.Stopped.Single(a => a.Source.Name == DexterSessionsTelemetry.SourceName && (string?)a.GetTagItem("gen_ai.conversation.id") == _sessionId);
        var chat = activities.Stopped.Single(a => a.Source.Name != DexterSessionsTelemetry.SourceName && a.Parent == turn);
        Assert.Multiple(() =>
        {
            Assert.That(chat.GetTagItem("gen_ai.operation.name"), Is.EqualTo("chat"));
            Assert.That(chat.GetTagItem("gen_ai.conversation.id"), Is.EqualTo(_sessionId));
        });
    }

    [Test]
    public async Task Middleware_ModelWithOpenTelemetryInside_ItsChatSpanCarriesTheConversationIdThatNeverReachedIt()
    {
        using var activities = new ActivityRecorder(_ => true);
        using var client = _model.AsBuilder().UseDexterSessions(_store).UseOpenTelemetry().Build();

        await client.GetResponseAsync("What is Bitcoin?", new ChatOptions { ConversationId = _sessionId });

        var chat = activities.Stopped.Single(a => a.Source.Name != DexterSessionsTelemetry.SourceName);
        Assert.Multiple(() =>
        {
            Assert.That(chat.GetTagItem("gen_ai.conversation.id"), Is.EqualTo(_sessionId));
            Assert.That(_model.LastOptions?.ConversationId, Is.Null);
        });
    }
}
