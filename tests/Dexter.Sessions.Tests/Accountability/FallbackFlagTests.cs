using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;

namespace Dexter.Sessions.Tests.Accountability;

/// <summary>A turn records whether its summary or its context fell back, so statistics can count fallbacks per session.</summary>
[TestFixture]
public sealed class FallbackFlagTests
{
    [Test]
    public async Task RunAsync_SummarizerAndSelectorFail_TurnIsRecordedWithBothFlags_AndStatisticsCountThem()
    {
        using var store = new InMemorySessionStore();
        var selector = new RecordingSelector { OnSelect = _ => throw new InvalidOperationException("index missing") };
        var failing = new CallbackSummarizer((_, _, _) => throw new InvalidOperationException("summary model down"));
        await new DexterAgent(new FakeChatClient(), store).RunAsync("first", "s1");
        var agent = new DexterAgent(new FakeChatClient(), store, failing, selector);

        var response = await agent.RunAsync("second", "s1");

        var stored = (await store.GetAsync("s1"))!.GetAll();
        var statistics = await store.GetStatisticsAsync("s1");
        Assert.Multiple(() =>
        {
            Assert.That(response.Turn.SummarizerFellBack, Is.True);
            Assert.That(response.Turn.SelectorFellBack, Is.True);
            Assert.That(stored[0].SummarizerFellBack || stored[0].SelectorFellBack, Is.False);
            Assert.That(stored[1].SummarizerFellBack && stored[1].SelectorFellBack, Is.True);
            Assert.That(statistics!.SummarizerFallbacks, Is.EqualTo(1));
            Assert.That(statistics.SelectorFallbacks, Is.EqualTo(1));
        });
    }

    [Test]
    public void TurnRecordSerializer_Flags_RoundTrip_AndAreLeftOutWhenFalse()
    {
        var turn = new Message { Id = 1, Query = "q", Answer = "a", SummarizerFellBack = true, SelectorFellBack = true };

        Assert.Multiple(() =>
        {
            Assert.That(TurnRecordSerializer.TryDeserialize(TurnRecordSerializer.Serialize(turn), out var back, out _), Is.True);
            Assert.That(back, Is.EqualTo(turn));
            Assert.That(System.Text.Encoding.UTF8.GetString(TurnRecordSerializer.Serialize(turn with { SummarizerFellBack = false, SelectorFellBack = false })),
                Does.Not.Contain("Fallback"));
        });
    }
}
