using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary>
/// What every store that implements <see cref="ISessionAuditStore"/> must do, and the export → import round trip through it.
/// A store's test project derives a fixture and supplies <see cref="CreateStoreAsync"/>.
/// </summary>
public abstract class SessionAccountabilityContractTests
{
    private readonly List<ISessionStore> _stores = [];

    /// <summary>Gets the clock the store under test takes its times from.</summary>
    protected FakeTimeProvider Clock { get; private set; } = null!;

    /// <summary>Makes an empty store with <see cref="Clock"/> as its clock.</summary>
    protected abstract Task<ISessionStore> CreateStoreAsync();

    /// <summary>Lets time pass for the store; a store whose expiry runs on a server overrides it.</summary>
    protected virtual Task AdvanceTimeAsync(TimeSpan time)
    {
        Clock.Advance(time);
        return Task.CompletedTask;
    }

    [SetUp]
    public void CreateClock() => Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    [TearDown]
    public async Task DisposeStores()
    {
        foreach (var store in _stores)
        {
            switch (store)
            {
                case IAsyncDisposable a: await a.DisposeAsync(); break;
                case IDisposable d: d.Dispose(); break;
            }
        }

        _stores.Clear();
    }

    /// <summary>A store for this test, released after it.</summary>
    protected async Task<ISessionStore> StoreAsync()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        return store;
    }

    private SessionAuditEvent Event(string sessionId, SessionAuditAction action, int? turnId = null) => new()
    {
        Timestamp = Clock.GetUtcNow(),
        Action = action,
        SessionId = sessionId,
        Principal = "user:alice",
        RequestId = "req-" + action,
        RemoteAddress = "127.0.0.1",
        Outcome = action == SessionAuditAction.Denied ? SessionAuditOutcome.NotFound : SessionAuditOutcome.Succeeded,
        TurnId = turnId,
    };

    [Test]
    public async Task AuditStore_Appends_ReadBackInOrder_AndSurviveTheSessionsDeletion()
    {
        var store = await StoreAsync();
        var audit = store.GetService<ISessionAuditStore>()!;
        var sessionId = SessionId.New();
        await store.CreateAsync(sessionId, "user:alice");
        SessionAuditEvent[] events =
        [
            Event(sessionId, SessionAuditAction.Created),
            Event(sessionId, SessionAuditAction.Queried, turnId: 1),
            Event(sessionId, SessionAuditAction.Denied),
            Event(sessionId, SessionAuditAction.Exported),
        ];
        foreach (var e in events)
        {
            await audit.AppendAuditEventAsync(e, TimeSpan.FromDays(1));
        }

        await store.DeleteAsync(sessionId);
        await audit.AppendAuditEventAsync(Event(sessionId, SessionAuditAction.Cleared), TimeSpan.FromDays(1));

        Assert.Multiple(async () =>
        {
            Assert.That(audit, Is.Not.Null);
            Assert.That(await audit.GetAuditEventsAsync(sessionId), Is.EqualTo(events.Append(Event(sessionId, SessionAuditAction.Cleared))));
            Assert.That(await audit.GetAuditEventsAsync(SessionId.New()), Is.Empty);
            Assert.That(await store.ExistsAsync(sessionId), Is.False, "the trail does not bring the session back");
        });
    }

    [Test]
    public async Task AuditStore_RetentionPassed_TrailIsGone()
    {
        var store = await StoreAsync();
        var audit = store.GetService<ISessionAuditStore>()!;
        var sessionId = SessionId.New();
        await audit.AppendAuditEventAsync(Event(sessionId, SessionAuditAction.Created), TimeSpan.FromMinutes(10));

        await AdvanceTimeAsync(TimeSpan.FromMinutes(11));

        Assert.That(await audit.GetAuditEventsAsync(sessionId), Is.Empty);
    }

    [Test]
    public async Task ExportThenImport_IntoTheSameKindOfStore_KeepsEveryTurnTheOwnerAndTheRollingSummary()
    {
        var source = await StoreAsync();
        var target = await StoreAsync();
        var sessionId = await SeedAsync(source);

        var export = SessionExport.Parse((await source.ExportSessionAsync(sessionId, Clock))!.ToUtf8Json());
        await target.ImportSessionAsync(export, "imported");

        await AssertSameSessionAsync(source, sessionId, target, "imported");
    }

    /// <summary>The rolling summary <see cref="SeedAsync"/> gives the session: a time with an offset and sub-millisecond ticks.</summary>
    public static SessionSummary SeedRollingSummary { get; } =
        new("The user asked the prices of BTC (about 90,000 USD) and ETH.", 2, new DateTimeOffset(2026, 11, 24, 12, 2, 0, 7, TimeSpan.FromHours(-5)).AddTicks(89));

    /// <summary>Writes a session with an owner, two turns using every field and a rolling summary.</summary>
    public static async Task<string> SeedAsync(ISessionStore store)
    {
        var sessionId = SessionId.New();
        await store.CreateAsync(sessionId, "user:alice");
        await store.AppendAsync(sessionId, new Message
        {
            Query = "What is the price of BTC?",
            Answer = "About 90,000 USD.",
            Summary = "BTC price asked.",
            CreatedAt = new DateTimeOffset(2026, 11, 24, 12, 0, 0, 123, TimeSpan.FromHours(2)).AddTicks(4567),
            InputTokenCount = 120,
            OutputTokenCount = 30,
            ResponseTime = TimeSpan.FromTicks(12_345_678),
            SummarizerFellBack = true,
            Embedding = new float[] { 0.1f, -2.5f, 3e-8f },
            ChatMessages =
            [
                new ChatMessage(ChatRole.User, "What is the price of BTC?"),
                new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "price", new Dictionary<string, object?> { ["symbol"] = "BTC" })]),
                new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", "90000")]),
                new ChatMessage(ChatRole.Assistant, "About 90,000 USD."),
            ],
        });
        await store.AppendAsync(sessionId, new Message
        {
            Query = "And ETH?", Answer = "About 3,0", CreatedAt = new DateTimeOffset(2026, 11, 24, 12, 1, 0, TimeSpan.Zero), SelectorFellBack = true,
            Interrupted = true, // stopped by the user mid-answer
        });
        Assert.That(await store.TrySetSummaryAsync(sessionId, SeedRollingSummary, expectedThroughTurnId: 0), Is.True);
        return sessionId;
    }

    /// <summary>Asserts that two sessions hold the same turns (every field), owner and rolling summary, and that ids go on after them.</summary>
    public static async Task AssertSameSessionAsync(ISessionStore source, string sourceId, ISessionStore target, string targetId)
    {
        var expected = (await source.GetAsync(sourceId))!.GetAll();
        var actual = (await target.GetAsync(targetId))!.GetAll();
        Assert.Multiple(async () =>
        {
            Assert.That(actual, Is.EqualTo(expected));
            Assert.That(actual, Has.Count.EqualTo(2));
            Assert.That((await target.GetMetadataAsync(targetId))!.Owner, Is.EqualTo("user:alice"));
            Assert.That((await target.GetMetadataAsync(targetId))!.TurnCount, Is.EqualTo(2));
            Assert.That(await source.GetSummaryAsync(sourceId), Is.EqualTo(SeedRollingSummary));
            Assert.That(await target.GetSummaryAsync(targetId), Is.EqualTo(SeedRollingSummary));
            Assert.That((await target.GetSummaryAsync(targetId))!.UpdatedAt.Offset, Is.EqualTo(SeedRollingSummary.UpdatedAt.Offset));
            Assert.That((await target.AppendAsync(targetId, new Message { Query = "q", Answer = "a" })).Id, Is.EqualTo(3));
        });
    }
}
