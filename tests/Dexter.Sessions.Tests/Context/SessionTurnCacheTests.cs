using System.Collections.Concurrent;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Context;

/// <summary>The in-process cache that gives a whole-session selector every turn while reading only what was appended since.</summary>
public sealed class SessionTurnCacheTests
{
    private const int Probe = 10;

    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private ManualClock _clock = null!;
    private InMemorySessionStore _inner = null!;
    private CountingStore _store = null!;
    private string _sessionId = null!;

    [SetUp]
    public void SetUp()
    {
        _clock = new ManualClock(Start);
        _inner = new InMemorySessionStore(Options.Create(new DexterSessionsOptions()), _clock);
        _store = new CountingStore(_inner);
        _sessionId = SessionId.New();
    }

    [TearDown]
    public void TearDown()
    {
        _store.Dispose();
        _inner.Dispose();
    }

    private async Task<Message[]> AppendAsync(int count, string? sessionId = null, string prefix = "Question")
    {
        var recorded = new List<Message>();
        for (var i = 0; i < count; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            var n = recorded.Count + 1;
            recorded.Add(await _inner.AppendAsync(sessionId ?? _sessionId, new Message { Query = prefix + " " + n, Answer = "Answer " + n, CreatedAt = _clock.GetUtcNow() }));
        }

        return [.. recorded];
    }

    private async Task<IReadOnlyList<Message>> StoredAsync(string? sessionId = null) =>
        await _inner.GetRecentAsync(sessionId ?? _sessionId, int.MaxValue);

    private Task<IReadOnlyList<Message>> ReadAsync(SessionTurnCache cache, string? sessionId = null, int probe = Probe) =>
        cache.GetAllAsync(_store, sessionId ?? _sessionId, probe, CancellationToken.None);

    [Test]
    public async Task GetAllAsync_FirstRead_ReadsTheWholeSession()
    {
        await AppendAsync(25);
        var cache = new SessionTurnCache();

        var turns = await ReadAsync(cache);

        Assert.Multiple(async () =>
        {
            Assert.That(turns, Is.EqualTo(await StoredAsync()));
            Assert.That(_store.Reads, Is.EqualTo(new[] { Probe, int.MaxValue }));
            Assert.That(cache.HeldTurns, Is.EqualTo(25));
        });
    }

    [Test]
    public async Task GetAllAsync_FirstReadOfASessionShorterThanTheProbe_ReadsOnce()
    {
        await AppendAsync(4);
        var cache = new SessionTurnCache();

        var turns = await ReadAsync(cache);

        Assert.Multiple(() =>
        {
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(new[] { 1, 2, 3, 4 }));
            Assert.That(_store.Reads, Is.EqualTo(new[] { Probe }));
        });
    }

    [Test]
    public async Task GetAllAsync_NoNewTurns_ReadsOnlyTheProbe()
    {
        await AppendAsync(25);
        var cache = new SessionTurnCache();
        await ReadAsync(cache);
        _store.Reads.Clear();

        var turns = await ReadAsync(cache);

        Assert.Multiple(async () =>
        {
            Assert.That(turns, Is.EqualTo(await StoredAsync()));
            Assert.That(_store.Reads, Is.EqualTo(new[] { Probe }));
        });
    }

    [Test]
    public async Task GetAllAsync_FewerTurnsAppendedThanTheProbe_ReadsOnlyTheProbe()
    {
        await AppendAsync(25);
        var cache = new SessionTurnCache();
        await ReadAsync(cache);
        await AppendAsync(4);
        _store.Reads.Clear();

        var turns = await ReadAsync(cache);

        Assert.Multiple(async () =>
        {
            Assert.That(turns, Is.EqualTo(await StoredAsync()));
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, 29)));
            Assert.That(_store.Reads, Is.EqualTo(new[] { Probe }));
            Assert.That(cache.HeldTurns, Is.EqualTo(29));
        });
    }

    [Test]
    public async Task GetAllAsync_MoreTurnsAppendedThanTheProbe_ReadsBackToTheLastHeldTurnOnly()
    {
        await AppendAsync(25);
        var cache = new SessionTurnCache();
        await ReadAsync(cache);
        await AppendAsync(15);
        _store.Reads.Clear();

        var turns = await ReadAsync(cache);

        Assert.Multiple(async () =>
        {
            Assert.That(turns, Is.EqualTo(await StoredAsync()));
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, 40)));
            Assert.That(_store.Reads, Is.EqualTo(new[] { Probe, 16 }), "turns 25 to 40: the last held turn and the 15 after it");
            Assert.That(cache.HeldTurns, Is.EqualTo(40));
        });
    }

    [Test]
    public async Task GetAllAsync_SnapshotTakenBeforeTurnsWereAppended_KeepsItsTurns()
    {
        await AppendAsync(3);
        var cache = new SessionTurnCache();
        var before = await ReadAsync(cache);
        await AppendAsync(30);

        var after = await ReadAsync(cache);

        Assert.Multiple(() =>
        {
            Assert.That(before.Select(t => t.Id), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(after.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, 33)));
        });
    }

    [Test]
    public async Task GetAllAsync_SessionDeleted_ReturnsNothingAndDropsItsTurns()
    {
        await AppendAsync(12);
        var cache = new SessionTurnCache();
        await ReadAsync(cache);
        await _inner.DeleteAsync(_sessionId);

        var turns = await ReadAsync(cache);

        Assert.Multiple(() =>
        {
            Assert.That(turns, Is.Empty);
            Assert.That(cache.HeldTurns, Is.Zero);
        });
    }

    [Test]
    public async Task GetAllAsync_SessionDeletedAndRecreatedWithTheSameIds_ReadsItWholeAgain()
    {
        await AppendAsync(12);
        var cache = new SessionTurnCache();
        var old = await ReadAsync(cache);
        await _inner.DeleteAsync(_sessionId);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await AppendAsync(12); // the same ids and queries, recorded later
        _store.Reads.Clear();

        var turns = await ReadAsync(cache);

        Assert.Multiple(async () =>
        {
            Assert.That(turns, Is.EqualTo(await StoredAsync()));
            Assert.That(turns[0].CreatedAt, Is.Not.EqualTo(old[0].CreatedAt), "none of the old turns is returned");
            Assert.That(_store.Reads, Is.EqualTo(new[] { Probe, int.MaxValue }));
        });
    }

    [Test]
    public async Task GetAllAsync_SessionRecreatedLongerThanItWas_ReadsItWholeAgain()
    {
        await AppendAsync(5);
        var cache = new SessionTurnCache();
        await ReadAsync(cache);
        await _inner.DeleteAsync(_sessionId);
        await AppendAsync(30, prefix: "Other question");

        var turns = await ReadAsync(cache);

        Assert.Multiple(async () =>
        {
            Assert.That(turns, Is.EqualTo(await StoredAsync()));
            Assert.That(turns.Select(t => t.Query), Has.All.StartWith("Other question"));
        });
    }

    [Test]
    public async Task GetAllAsync_SessionRewoundToFewerTurns_ReturnsWhatItHoldsNow()
    {
        await AppendAsync(8);
        var cache = new SessionTurnCache();
        await ReadAsync(cache);
        var history = new MessageHistory((await StoredAsync()).Take(5).ToList());
        await _inner.SetAsync(_sessionId, history);

        var turns = await ReadAsync(cache);

        Assert.That(turns.Select(t => t.Id), Is.EqualTo(new[] { 1, 2, 3, 4, 5 }));
    }

    [Test]
    public async Task Updated_HeldTurn_IsReplacedInTheNextRead()
    {
        await AppendAsync(12);
        var cache = new SessionTurnCache();
        var turns = await ReadAsync(cache);
        var withVector = turns[3] with { Embedding = new float[] { 0.6f, 0.8f } };
        _store.Reads.Clear();

        cache.Updated(_sessionId, [withVector]);
        var again = await ReadAsync(cache);

        Assert.Multiple(() =>
        {
            Assert.That(again[3], Is.EqualTo(withVector));
            Assert.That(again.Where((t, i) => i != 3), Is.EqualTo(turns.Where((t, i) => i != 3)));
            Assert.That(_store.Reads, Is.EqualTo(new[] { Probe }), "served from what is held");
        });
    }

    [Test]
    public async Task Updated_TurnOfAnotherTimeOrUnknownId_IsIgnored()
    {
        await AppendAsync(12);
        var cache = new SessionTurnCache();
        var turns = await ReadAsync(cache);

        cache.Updated(_sessionId, [turns[3] with { CreatedAt = Start.AddYears(1), Embedding = new float[] { 1 } }, turns[0] with { Id = 99, Embedding = new float[] { 1 } }]);
        var again = await ReadAsync(cache);

        Assert.That(again, Is.EqualTo(turns));
    }

    [Test]
    public async Task Recorded_NextTurn_IsAppendedSoTheNextReadOnlyProbes()
    {
        await AppendAsync(12);
        var cache = new SessionTurnCache();
        await ReadAsync(cache);
        var next = (await AppendAsync(1, prefix: "Next"))[0];
        _store.Reads.Clear();

        cache.Recorded(_sessionId, next);
        var turns = await ReadAsync(cache);

        Assert.Multiple(() =>
        {
            Assert.That(cache.HeldTurns, Is.EqualTo(13));
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, 13)));
            Assert.That(_store.Reads, Is.EqualTo(new[] { Probe }));
        });
    }

    [Test]
    public async Task Recorded_TurnThatDoesNotFollowTheLastHeld_IsNotAppended()
    {
        await AppendAsync(12);
        var cache = new SessionTurnCache();
        await ReadAsync(cache);

        cache.Recorded(_sessionId, new Message { Id = 15, Query = "q", Answer = "a", CreatedAt = Start });
        cache.Recorded(_sessionId, new Message { Id = 12, Query = "q", Answer = "a", CreatedAt = Start });

        Assert.That(cache.HeldTurns, Is.EqualTo(12));
    }

    [Test]
    public void Recorded_SessionNotHeld_HoldsNothing()
    {
        var cache = new SessionTurnCache();

        cache.Recorded(_sessionId, new Message { Id = 1, Query = "q", Answer = "a" });

        Assert.That(cache.HeldTurns, Is.Zero);
    }

    [Test]
    public async Task Forget_DropsTheSession_SoTheNextReadIsWhole()
    {
        await AppendAsync(12);
        var cache = new SessionTurnCache();
        await ReadAsync(cache);
        _store.Reads.Clear();

        cache.Forget(_sessionId);
        await ReadAsync(cache);

        Assert.That(_store.Reads, Is.EqualTo(new[] { Probe, int.MaxValue }));
    }

    [Test]
    public async Task GetAllAsync_OverTheBound_EvictsTheSessionUsedLeastRecently()
    {
        var (a, b, c) = ("session-a", "session-b", "session-c");
        await AppendAsync(6, a);
        await AppendAsync(3, b);
        await AppendAsync(3, c);
        var cache = new SessionTurnCache(maxTurns: 10);
        await ReadAsync(cache, a, probe: 2);
        await ReadAsync(cache, b, probe: 2);
        await ReadAsync(cache, a, probe: 2); // a is now used more recently than b

        await ReadAsync(cache, c, probe: 2);
        _store.Reads.Clear();
        await ReadAsync(cache, a, probe: 2);
        var readsOfA = _store.Reads.ToArray();
        _store.Reads.Clear();
        await ReadAsync(cache, b, probe: 2);
        var readsOfB = _store.Reads.ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(readsOfA, Is.EqualTo(new[] { 2 }), "a stayed");
            Assert.That(readsOfB, Is.EqualTo(new[] { 2, int.MaxValue }), "b left and is read whole again");
        });
    }

    [Test]
    public async Task GetAllAsync_SessionHeavierThanTheBound_IsReturnedButNotHeld()
    {
        await AppendAsync(12);
        var cache = new SessionTurnCache(maxTurns: 10);

        var turns = await ReadAsync(cache);

        Assert.Multiple(() =>
        {
            Assert.That(turns, Has.Count.EqualTo(12));
            Assert.That(cache.HeldTurns, Is.Zero);
        });
    }

    [Test]
    public async Task GetAllAsync_ProbeBelowTwo_ReadsTwo()
    {
        await AppendAsync(5);
        var cache = new SessionTurnCache();

        await ReadAsync(cache, probe: 1);

        Assert.That(_store.Reads.First(), Is.EqualTo(2));
    }

    [Test]
    public async Task GetAllAsync_ConcurrentReadsWhileTurnsAreAppended_AlwaysReturnAContiguousPrefix()
    {
        await AppendAsync(5);
        var cache = new SessionTurnCache();
        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();

        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var turns = await ReadAsync(cache, probe: 3);
                if (!turns.Select(t => t.Id).SequenceEqual(Enumerable.Range(1, turns.Count)))
                {
                    failures.Enqueue(string.Join(",", turns.Select(t => t.Id)));
                }
            }
        })).ToArray();
        for (var i = 0; i < 200; i++)
        {
            await _inner.AppendAsync(_sessionId, new Message { Query = "q", Answer = "a", CreatedAt = Start.AddSeconds(i) });
            if (i % 20 == 0)
            {
                await Task.Delay(1);
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        var last = await ReadAsync(cache);

        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty);
            Assert.That(last.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, 205)));
        });
    }

    /// <summary>Counts what is read from the store it decorates.</summary>
    private sealed class CountingStore(ISessionStore inner) : DelegatingSessionStore(inner)
    {
        public List<int> Reads { get; } = [];

        public override Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default)
        {
            lock (Reads)
            {
                Reads.Add(count);
            }

            return base.GetRecentAsync(sessionId, count, cancellationToken);
        }
    }
}
