using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Tests.Accountability;

[TestFixture]
public sealed class SessionStatisticsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Compute_KnownTurns_GivesTokensPercentilesActivityAndFallbacks()
    {
        // Response times 1..10 s in shuffled order; turn 4 has no usage and no measured time.
        int[] seconds = [7, 3, 10, 0, 1, 9, 2, 8, 5, 4, 6];
        var turns = seconds.Select((s, i) => new Message
        {
            Id = i + 1,
            Query = "q",
            Answer = "a",
            CreatedAt = Start.AddMinutes(i + 1),
            InputTokenCount = s == 0 ? null : 100,
            OutputTokenCount = s == 0 ? null : 10 * s,
            ResponseTime = s == 0 ? null : TimeSpan.FromSeconds(s),
            SummarizerFellBack = i is 1 or 2,
            SelectorFellBack = i == 5,
        }).ToList();
        var metadata = new SessionMetadata("s1", Start, Start.AddMinutes(20), turns.Count, "alice");

        var statistics = SessionStatistics.Compute(metadata, turns);

        Assert.Multiple(() =>
        {
            Assert.That(statistics.Turns, Is.EqualTo(11));
            Assert.That(statistics.InputTokens, Is.EqualTo(1000));
            Assert.That(statistics.OutputTokens, Is.EqualTo(550));
            Assert.That(statistics.ResponseTimeP50, Is.EqualTo(TimeSpan.FromSeconds(5)), "nearest rank: the 5th of 10");
            Assert.That(statistics.ResponseTimeP95, Is.EqualTo(TimeSpan.FromSeconds(10)), "nearest rank: the 10th of 10");
            Assert.That(statistics.ResponseTimeMax, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(statistics.CreatedAt, Is.EqualTo(Start));
            Assert.That(statistics.FirstActivityAt, Is.EqualTo(Start.AddMinutes(1)));
            Assert.That(statistics.LastActivityAt, Is.EqualTo(Start.AddMinutes(20)));
            Assert.That(statistics.SummarizerFallbacks, Is.EqualTo(2));
            Assert.That(statistics.SelectorFallbacks, Is.EqualTo(1));
            Assert.That(statistics.PerTurn.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, 11)));
            Assert.That(statistics.PerTurn[3].ResponseTime, Is.Null);
            Assert.That(statistics.PerTurn[0].ResponseTime, Is.EqualTo(TimeSpan.FromSeconds(7)));
        });
    }

    [Test]
    public void Compute_StoppedAnswers_AreCountedAndMarkedPerTurn()
    {
        Message[] turns =
        [
            new() { Id = 1, Query = "q1", Answer = "a whole answer", CreatedAt = Start.AddMinutes(1) },
            new() { Id = 2, Query = "q2", Answer = "half an ans", CreatedAt = Start.AddMinutes(2), Interrupted = true },
            new() { Id = 3, Query = "q3", Answer = "a", CreatedAt = Start.AddMinutes(3), Interrupted = true },
        ];

        var statistics = SessionStatistics.Compute(new SessionMetadata("s1", Start, Start.AddMinutes(3), 3, "alice"), turns);

        Assert.Multiple(() =>
        {
            Assert.That(statistics.InterruptedTurns, Is.EqualTo(2));
            Assert.That(statistics.PerTurn.Select(t => t.Interrupted), Is.EqualTo(new[] { false, true, true }));
        });
    }

    [Test]
    public void Compute_NoTurns_HasNoTimes()
    {
        var statistics = SessionStatistics.Compute(new SessionMetadata("s1", Start, Start, 0, null), []);

        Assert.Multiple(() =>
        {
            Assert.That(statistics.Turns, Is.Zero);
            Assert.That(statistics.ResponseTimeP50, Is.Null);
            Assert.That(statistics.ResponseTimeMax, Is.Null);
            Assert.That(statistics.FirstActivityAt, Is.Null);
        });
    }

    [Test]
    public async Task GetStatisticsAsync_StoredSession_ComputesFromItsTurns_AndNullForAnUnknownOne()
    {
        var clock = new FakeTimeProvider(Start);
        using var store = new InMemorySessionStore(Options.Create(new DexterSessionsOptions()), clock);
        await store.CreateAsync("s1", "alice");
        clock.Advance(TimeSpan.FromMinutes(1));
        await store.AppendAsync("s1", new Message { Query = "q", Answer = "a", CreatedAt = clock.GetUtcNow(), ResponseTime = TimeSpan.FromMilliseconds(250), InputTokenCount = 3 });

        var statistics = await store.GetStatisticsAsync("s1");

        Assert.Multiple(async () =>
        {
            Assert.That(statistics!.Turns, Is.EqualTo(1));
            Assert.That(statistics.ResponseTimeP95, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(statistics.InputTokens, Is.EqualTo(3));
            Assert.That(statistics.CreatedAt, Is.EqualTo(Start));
            Assert.That(statistics.LastActivityAt, Is.EqualTo(Start.AddMinutes(1)));
            Assert.That(await store.GetStatisticsAsync(SessionId.New()), Is.Null);
        });
    }
}
