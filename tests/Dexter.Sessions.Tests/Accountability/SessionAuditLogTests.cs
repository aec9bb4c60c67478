using Dexter.Sessions.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Tests.Accountability;

[TestFixture]
public sealed class SessionAuditLogTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private FakeTimeProvider _clock = null!;
    private InMemorySessionStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _clock = new FakeTimeProvider(Start);
        _store = new InMemorySessionStore(Options.Create(new DexterSessionsOptions()), _clock);
    }

    [TearDown]
    public void TearDown() => _store.Dispose();

    private SessionAuditEvent Event(SessionAuditAction action, string? sessionId = "s1", SessionAuditOutcome outcome = SessionAuditOutcome.Succeeded, int? turnId = null) =>
        new() { Timestamp = _clock.GetUtcNow(), Action = action, SessionId = sessionId, Principal = "alice", RequestId = "r1", RemoteAddress = "127.0.0.1", Outcome = outcome, TurnId = turnId };

    [Test]
    public async Task RecordAsync_StoreKeepsTrails_EventsReadBackInOrder_AndOutliveTheSession()
    {
        var log = new SessionAuditLog(_store);
        await _store.CreateAsync("s1", "alice");

        await log.RecordAsync(Event(SessionAuditAction.Created));
        await log.RecordAsync(Event(SessionAuditAction.Queried, turnId: 1));
        await _store.DeleteAsync("s1");
        await log.RecordAsync(Event(SessionAuditAction.Cleared));

        var events = await log.GetEventsAsync("s1");
        Assert.Multiple(() =>
        {
            Assert.That(log.KeepsEvents, Is.True);
            Assert.That(events!.Select(e => e.Action), Is.EqualTo(new[] { SessionAuditAction.Created, SessionAuditAction.Queried, SessionAuditAction.Cleared }));
            Assert.That(events![1].TurnId, Is.EqualTo(1));
            Assert.That(events[0], Is.EqualTo(Event(SessionAuditAction.Created)));
        });
    }

    [Test]
    public async Task RecordAsync_RetentionPassed_TrailIsGone()
    {
        var log = new SessionAuditLog(_store, Options.Create(new SessionAuditOptions { Retention = TimeSpan.FromDays(1) }));
        await _store.CreateAsync("s1");
        await log.RecordAsync(Event(SessionAuditAction.Created));

        _clock.Advance(TimeSpan.FromHours(23));
        var kept = await log.GetEventsAsync("s1");
        _clock.Advance(TimeSpan.FromHours(2));
        var gone = await log.GetEventsAsync("s1");

        Assert.Multiple(() =>
        {
            Assert.That(kept, Has.Count.EqualTo(1));
            Assert.That(gone, Is.Empty);
        });
    }

    [Test]
    public async Task RecordAsync_DeniedForAnUnknownSession_GoesToTheLogsOnly()
    {
        var logs = new CollectingLoggerFactory();
        var log = new SessionAuditLog(_store, loggerFactory: logs);

        await log.RecordAsync(Event(SessionAuditAction.Denied, "nobody", SessionAuditOutcome.NotFound));

        Assert.Multiple(async () =>
        {
            Assert.That(await log.GetEventsAsync("nobody"), Is.Empty);
            var entry = logs.Entries.Single();
            Assert.That(entry.Category, Is.EqualTo(SessionAuditLog.LogCategory));
            Assert.That(entry.Entry.EventId.Id, Is.EqualTo(858));
            Assert.That(entry.Entry.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(entry.Entry.Message, Does.Contain("not_found").And.Contain("alice").And.Contain("127.0.0.1"));
        });
    }

    [Test]
    public async Task RecordAsync_EachAction_LogsItsOwnStableEventId()
    {
        var logs = new CollectingLoggerFactory();
        var log = new SessionAuditLog(_store, Options.Create(new SessionAuditOptions { KeepInStore = false }), logs);

        foreach (var action in Enum.GetValues<SessionAuditAction>())
        {
            await log.RecordAsync(Event(action));
        }

        Assert.Multiple(async () =>
        {
            Assert.That(logs.Entries.Select(e => e.Entry.EventId.Id), Is.EqualTo(Enumerable.Range(850, 14)));
            Assert.That(log.KeepsEvents, Is.False);
            Assert.That(await log.GetEventsAsync("s1"), Is.Null);
        });
    }

    [Test]
    public async Task RecordAsync_StoreWithoutTheCapability_LogsOnly()
    {
        var logs = new CollectingLoggerFactory();
        var log = new SessionAuditLog(new Moq.Mock<ISessionStore>().Object, loggerFactory: logs);

        await log.RecordAsync(Event(SessionAuditAction.Created));

        Assert.Multiple(async () =>
        {
            Assert.That(log.KeepsEvents, Is.False);
            Assert.That(logs.Entries, Has.Count.EqualTo(1));
            Assert.That(await log.GetEventsAsync("s1"), Is.Null);
        });
    }

    [Test]
    public void SessionAuditJson_RoundTrip_KeepsEveryField_AndRejectsANewerVersion()
    {
        var e = Event(SessionAuditAction.Denied, outcome: SessionAuditOutcome.RateLimited) with { TurnId = 4 };

        Assert.Multiple(() =>
        {
            Assert.That(SessionAuditJson.Deserialize(SessionAuditJson.Serialize(e)), Is.EqualTo(e));
            Assert.That(System.Text.Encoding.UTF8.GetString(SessionAuditJson.Serialize(e)), Does.Contain("\"action\":\"denied\"").And.Contain("\"outcome\":\"rate_limited\""));
            Assert.That(() => SessionAuditJson.Deserialize("{\"v\":9,\"action\":\"created\",\"outcome\":\"succeeded\"}"u8),
                Throws.InstanceOf<FormatException>().With.Message.Contains("upgrade Dexter.Sessions"));
        });
    }

    [Test]
    public void UseAuditLog_Registered_ResolvesTheDefaultLogWithItsOptions()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().UseAuditLog(o => o.Retention = TimeSpan.FromDays(7));
        using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<ISessionAuditLog>(), Is.InstanceOf<SessionAuditLog>());
            Assert.That(((SessionAuditLog)provider.GetRequiredService<ISessionAuditLog>()).KeepsEvents, Is.True);
            Assert.That(provider.GetRequiredService<IOptions<SessionAuditOptions>>().Value.Retention, Is.EqualTo(TimeSpan.FromDays(7)));
            Assert.That(() => new SessionAuditOptions { Retention = TimeSpan.Zero }, Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }

    private sealed class CollectingLoggerFactory : ILoggerFactory
    {
        private readonly List<(string Category, LogEntry Entry)> _entries = [];

        public IReadOnlyList<(string Category, LogEntry Entry)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CollectingLoggerFactory owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._entries)
                {
                    owner._entries.Add((category, new LogEntry(logLevel, eventId, formatter(state, exception), exception)));
                }
            }
        }
    }
}
