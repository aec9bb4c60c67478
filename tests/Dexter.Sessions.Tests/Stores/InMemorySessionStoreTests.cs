using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Tests.Stores;

/// <summary>In-memory store behaviour beyond the shared contract (which runs in <see cref="InMemorySessionStoreContractTests"/>).</summary>
public sealed class InMemorySessionStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromHours(1);

    private FakeTimeProvider _clock = null!;
    private InMemorySessionStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _clock = new FakeTimeProvider(Start);
        _store = Create(_clock, Ttl);
    }

    [TearDown]
    public void TearDown() => _store.Dispose();

    private static InMemorySessionStore Create(TimeProvider clock, TimeSpan ttl, ILogger<InMemorySessionStore>? logger = null) =>
        new(Options.Create(new DexterSessionsOptions { SessionTtl = ttl }), clock, logger);

    private static Message Turn(string query) => new() { Query = query, Answer = "answer", Summary = "summary" };

    [Test]
    public async Task Session_NoWriteForTheTtl_Expires()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, Turn("q1"));

        _clock.Advance(Ttl - TimeSpan.FromSeconds(1));
        var existsBefore = await _store.ExistsAsync(id);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Multiple(async () =>
        {
            Assert.That(existsBefore, Is.True);
            Assert.That(await _store.ExistsAsync(id), Is.False);
            Assert.That(await _store.GetAsync(id), Is.Null);
            Assert.That(await _store.GetRecentAsync(id, 10), Is.Empty);
            Assert.That(await _store.GetMetadataAsync(id), Is.Null);
        });
    }

    [Test]
    public async Task AppendAsync_RefreshesTheExpiry()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, Turn("q1"));
        _clock.Advance(TimeSpan.FromMinutes(50));
        await _store.AppendAsync(id, Turn("q2"));
        _clock.Advance(TimeSpan.FromMinutes(50));

        var afterHundredMinutes = await _store.GetAsync(id);
        _clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Multiple(async () =>
        {
            Assert.That(afterHundredMinutes!.GetAll().Select(m => m.Query), Is.EqualTo(new[] { "q1", "q2" }));
            Assert.That(await _store.ExistsAsync(id), Is.False, "an hour after the last write");
        });
    }

    [Test]
    public async Task SetAsync_RefreshesTheExpiry_AndCreateAsyncStartsIt()
    {
        var set = SessionId.New();
        var created = SessionId.New();
        await _store.AppendAsync(set, Turn("q1"));
        await _store.CreateAsync(created);
        _clock.Advance(TimeSpan.FromMinutes(50));
        await _store.SetAsync(set, new MessageHistory());
        _clock.Advance(TimeSpan.FromMinutes(9));
        var createdAfter59Minutes = await _store.ExistsAsync(created);
        _clock.Advance(TimeSpan.FromMinutes(41));

        Assert.Multiple(async () =>
        {
            Assert.That(createdAfter59Minutes, Is.True);
            Assert.That(await _store.ExistsAsync(created), Is.False, "an hour after its creation");
            Assert.That(await _store.ExistsAsync(set), Is.True, "50 minutes after SetAsync");
        });
    }

    [Test]
    public async Task Reads_DoNotRefreshTheExpiry()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, Turn("q1"));

        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(10));
            await _store.GetAsync(id);
            await _store.GetRecentAsync(id, 1);
            await _store.ExistsAsync(id);
            await _store.GetMetadataAsync(id);
        }

        _clock.Advance(TimeSpan.FromMinutes(10));

        Assert.That(await _store.ExistsAsync(id), Is.False);
    }

    [Test]
    public async Task SweepTimer_RemovesExpiredSessionsFromMemory_WithoutAnyCall()
    {
        var logger = new CollectingLogger<InMemorySessionStore>();
        using var store = Create(_clock, Ttl, logger);
        for (var i = 0; i < 3; i++)
        {
            await store.AppendAsync(SessionId.New(), Turn("q"));
        }

        _clock.Advance(TimeSpan.FromMinutes(59));
        var countBefore = store.Count;
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Multiple(() =>
        {
            Assert.That(countBefore, Is.EqualTo(3));
            Assert.That(store.Count, Is.Zero);
            Assert.That(logger.Entries.Select(e => e.EventId.Id), Does.Contain(1100));
        });
    }

    [Test]
    public async Task SweepTimer_ShortTtl_SweepsAtTheTtl()
    {
        using var store = Create(_clock, TimeSpan.FromSeconds(10));
        await store.AppendAsync(SessionId.New(), Turn("q"));

        _clock.Advance(TimeSpan.FromSeconds(10));

        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task SweepTimer_KeepsLiveSessions()
    {
        var live = SessionId.New();
        await _store.AppendAsync(SessionId.New(), Turn("old"));
        _clock.Advance(TimeSpan.FromMinutes(30));
        await _store.AppendAsync(live, Turn("new"));

        _clock.Advance(TimeSpan.FromMinutes(30));

        Assert.Multiple(async () =>
        {
            Assert.That(_store.Count, Is.EqualTo(1));
            Assert.That(await _store.ExistsAsync(live), Is.True);
        });
    }

    [Test]
    public async Task RemoveExpired_RemovesOnlyExpiredSessions_AndReturnsHowMany()
    {
        var clock = new ManualClock(Start);
        using var store = Create(clock, Ttl);
        var kept = SessionId.New();
        await store.AppendAsync(SessionId.New(), Turn("q"));
        await store.AppendAsync(SessionId.New(), Turn("q"));
        await store.AppendAsync(kept, Turn("q"));
        clock.Advance(TimeSpan.FromMinutes(30));
        await store.AppendAsync(kept, Turn("q2"));
        clock.Advance(TimeSpan.FromMinutes(30));

        var countBefore = store.Count;
        var removed = store.RemoveExpired();
        var removedAgain = store.RemoveExpired();

        Assert.Multiple(async () =>
        {
            Assert.That(countBefore, Is.EqualTo(3), "expired sessions stay until swept or met");
            Assert.That(removed, Is.EqualTo(2));
            Assert.That(removedAgain, Is.Zero);
            Assert.That(store.Count, Is.EqualTo(1));
            Assert.That((await store.GetAsync(kept))!.Count, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task ExpiredSession_MetByARead_IsRemovedFromMemory()
    {
        var clock = new ManualClock(Start);
        using var store = Create(clock, Ttl);
        var id = SessionId.New();
        await store.AppendAsync(id, Turn("q"));
        clock.Advance(Ttl);

        await store.GetAsync(id);

        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task AppendAsync_AfterExpiry_StartsANewSessionFromIdOne()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, Turn("old1"));
        await _store.AppendAsync(id, Turn("old2"));
        _clock.Advance(Ttl);

        var appended = await _store.AppendAsync(id, Turn("new"));

        Assert.Multiple(async () =>
        {
            Assert.That(appended.Id, Is.EqualTo(1));
            Assert.That((await _store.GetAsync(id))!.GetAll().Select(m => m.Query), Is.EqualTo(new[] { "new" }));
        });
    }

    [Test]
    public async Task AppendAsync_RacingWithTheSweepAtExpiry_NeverLosesTheTurn()
    {
        var clock = new ManualClock(Start);
        using var store = Create(clock, Ttl);
        var ids = Enumerable.Range(0, 300).Select(_ => SessionId.New()).ToArray();
        foreach (var id in ids)
        {
            await store.AppendAsync(id, Turn("old"));
        }

        clock.Advance(Ttl);
        using var appendsDone = new CancellationTokenSource();
        var sweeper = Task.Run(() =>
        {
            var sweeps = 0;
            while (!appendsDone.IsCancellationRequested || sweeps == 0)
            {
                store.RemoveExpired();
                sweeps++;
            }
        });
        var recorded = new Message[ids.Length];
        await Parallel.ForAsync(0, ids.Length, async (i, ct) => recorded[i] = await store.AppendAsync(ids[i], Turn("new-" + i), ct));
        await appendsDone.CancelAsync();
        await sweeper;

        var lost = new List<string>();
        for (var i = 0; i < ids.Length; i++)
        {
            var turns = (await store.GetAsync(ids[i]))?.GetAll() ?? [];
            if (!turns.Any(m => m.Query == "new-" + i && m.Id == recorded[i].Id))
            {
                lost.Add(ids[i]);
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(lost, Is.Empty, "sessions whose new turn was lost");
            Assert.That(recorded.Select(m => m.Id), Is.All.EqualTo(1), "the expired turns are gone, so each new turn starts a new session");
        });
    }

    [Test]
    public async Task DeleteAsync_ExpiredSession_ReturnsFalse()
    {
        var id = SessionId.New();
        var clock = new ManualClock(Start);
        using var store = Create(clock, Ttl);
        await store.AppendAsync(id, Turn("q"));
        clock.Advance(Ttl);

        Assert.That(await store.DeleteAsync(id), Is.False);
    }

    [Test]
    public async Task CreateAsync_ExpiredSession_CreatesANewOneWithTheNewOwner()
    {
        var id = SessionId.New();
        await _store.CreateAsync(id, "alice");
        await _store.AppendAsync(id, Turn("q"));
        _clock.Advance(Ttl);

        var created = await _store.CreateAsync(id, "bob");
        var metadata = await _store.GetMetadataAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(created, Is.True);
            Assert.That(metadata!.Owner, Is.EqualTo("bob"));
            Assert.That(metadata.TurnCount, Is.Zero);
        });
    }

    [Test]
    public async Task CreateAsync_ExistingSession_LeavesItAsItWas_ExpiryIncluded()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, Turn("q"));
        _clock.Advance(TimeSpan.FromMinutes(50));

        var created = await _store.CreateAsync(id, "mallory");
        var metadata = await _store.GetMetadataAsync(id);
        _clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Multiple(async () =>
        {
            Assert.That(created, Is.False);
            Assert.That(metadata!.LastActivityAt, Is.EqualTo(Start));
            Assert.That(metadata.Owner, Is.Null);
            Assert.That(await _store.ExistsAsync(id), Is.False, "expires an hour after its last write, as if CreateAsync had not been called");
        });
    }

    [Test]
    public async Task GetMetadataAsync_TimesComeFromTheClock()
    {
        var id = SessionId.New();
        await _store.CreateAsync(id);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await _store.AppendAsync(id, Turn("q"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        await _store.GetAsync(id);

        var metadata = await _store.GetMetadataAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(metadata!.CreatedAt, Is.EqualTo(Start));
            Assert.That(metadata.LastActivityAt, Is.EqualTo(Start.AddMinutes(5)), "reads are not activity");
            Assert.That(metadata.TurnCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task GetAsync_ReturnsACopy_ThatDoesNotChangeTheStore()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, Turn("q1"));

        var history = (await _store.GetAsync(id))!;
        history.AddTurn("local", "only");
        history.Clear();

        Assert.That((await _store.GetAsync(id))!.GetAll().Select(m => m.Query), Is.EqualTo(new[] { "q1" }));
    }

    [Test]
    public async Task GetAsync_HistoryUsesTheStoreClock()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, Turn("q1"));
        _clock.Advance(TimeSpan.FromMinutes(3));

        var added = (await _store.GetAsync(id))!.AddTurn("q2", "a2");

        Assert.That(added.CreatedAt, Is.EqualTo(Start.AddMinutes(3)));
    }

    [Test]
    public async Task UpdateEmbeddingsAsync_UnknownSession_DoesNotCreateIt()
    {
        var id = SessionId.New();

        await _store.UpdateEmbeddingsAsync(id, [Turn("q") with { Id = 1, Embedding = new float[] { 1 } }]);

        Assert.That(await _store.ExistsAsync(id), Is.False);
    }

    [Test]
    public void Dispose_Twice_DoesNotThrow_AndStopsTheSweep()
    {
        var store = Create(_clock, Ttl);
        store.AppendAsync(SessionId.New(), Turn("q")).GetAwaiter().GetResult();

        store.Dispose();
        Assert.That(store.Dispose, Throws.Nothing);
        _clock.Advance(Ttl + TimeSpan.FromMinutes(5));

        Assert.That(store.Count, Is.EqualTo(1), "no sweep runs after Dispose");
    }

    [Test]
    public void Constructor_TtlNotPositive_Throws()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Create(_clock, TimeSpan.Zero), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => Create(_clock, TimeSpan.FromSeconds(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => new InMemorySessionStore(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("options"));
        });
    }

    [Test]
    public async Task DefaultConstructor_KeepsSessionsForADay()
    {
        using var store = new InMemorySessionStore();
        var id = SessionId.New();

        await store.AppendAsync(id, Turn("q"));

        Assert.That(await store.ExistsAsync(id), Is.True);
    }
}
