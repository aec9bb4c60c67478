using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions.Tests.Diagnostics;

public sealed class SessionStoreHealthCheckTests
{
    private static HealthCheckContext Context(IHealthCheck check, HealthStatus failureStatus) =>
        new() { Registration = new HealthCheckRegistration("sessions", check, failureStatus, tags: null) };

    [Test]
    public async Task CheckHealthAsync_PingableStoreBehindADecorator_PingsItAndNamesIt()
    {
        var pingable = new PingableStore(new InMemorySessionStore()) { Latency = TimeSpan.FromMilliseconds(1.25) };
        var check = new SessionStoreHealthCheck(new PassThroughStore(pingable));

        var result = await check.CheckHealthAsync(Context(check, HealthStatus.Unhealthy));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(result.Description, Is.EqualTo("Test store at here answered in 1.25 ms."));
            Assert.That(pingable.Pings, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task CheckHealthAsync_StoreThatCannotBePinged_AsksWhetherASessionExists()
    {
        var check = new SessionStoreHealthCheck(new InMemorySessionStore());

        var result = await check.CheckHealthAsync(Context(check, HealthStatus.Unhealthy));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(result.Description, Is.EqualTo("The session store (InMemorySessionStore) answers."));
        });
    }

    [Test]
    public async Task CheckHealthAsync_StoreUnavailable_ReportsTheRegistrationsFailureStatusWithTheStoresMessage()
    {
        var failure = new SessionStoreUnavailableException("Test store at here did not answer within 5 s. Start it.");
        var check = new SessionStoreHealthCheck(new PingableStore(new InMemorySessionStore()) { Failure = failure });

        var degraded = await check.CheckHealthAsync(Context(check, HealthStatus.Degraded));
        var withoutRegistration = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Multiple(() =>
        {
            Assert.That(degraded.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(degraded.Description, Is.EqualTo(failure.Message));
            Assert.That(degraded.Exception, Is.SameAs(failure));
            Assert.That(withoutRegistration.Status, Is.EqualTo(HealthStatus.Unhealthy));
        });
    }

    [Test]
    public async Task CreateRegistration_RegisteredStoreIsOrWrapsTheKind_ChecksIt_OtherwiseReportsNothingToCheck()
    {
        var pingable = new PingableStore(new InMemorySessionStore());
        await using var wrapped = new ServiceCollection().AddSingleton<ISessionStore>(new PassThroughStore(pingable)).BuildServiceProvider();
        await using var other = new ServiceCollection().AddSingleton<ISessionStore>(new InMemorySessionStore()).BuildServiceProvider();
        var registration = SessionStoreHealthCheck.CreateRegistration<PingableStore>(
            "sessions", "The session store is not a test store.", HealthStatus.Degraded, ["ready"], TimeSpan.FromSeconds(3));

        var checkedResult = await registration.Factory(wrapped).CheckHealthAsync(new HealthCheckContext { Registration = registration });
        var otherResult = await registration.Factory(other).CheckHealthAsync(new HealthCheckContext { Registration = registration });

        Assert.Multiple(() =>
        {
            Assert.That(registration.Name, Is.EqualTo("sessions"));
            Assert.That(registration.FailureStatus, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(registration.Tags, Is.EquivalentTo(new[] { "ready" }));
            Assert.That(registration.Timeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(checkedResult.Description, Does.StartWith("Test store at here answered"));
            Assert.That(pingable.Pings, Is.EqualTo(1));
            Assert.That(otherResult.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(otherResult.Description, Is.EqualTo("The session store is not a test store."));
        });
    }

    [Test]
    public void NullArguments_Throw()
    {
        var check = new SessionStoreHealthCheck(new InMemorySessionStore());

        Assert.Multiple(() =>
        {
            Assert.That(() => new SessionStoreHealthCheck(null!), Throws.ArgumentNullException);
            Assert.That(() => check.CheckHealthAsync(null!), Throws.ArgumentNullException);
            Assert.That(() => SessionStoreHealthCheck.CreateRegistration<InMemorySessionStore>(" ", "none"), Throws.ArgumentException);
            Assert.That(() => SessionStoreHealthCheck.CreateRegistration<InMemorySessionStore>("name", null!), Throws.ArgumentNullException);
        });
    }

    private sealed class PassThroughStore(ISessionStore inner) : DelegatingSessionStore(inner);

    private sealed class PingableStore(ISessionStore inner) : DelegatingSessionStore(inner), IPingableSessionStore
    {
        public TimeSpan Latency { get; init; }

        public Exception? Failure { get; init; }

        public int Pings { get; private set; }

        public string Description => "Test store at here";

        public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
        {
            Pings++;
            return Failure is null ? Task.FromResult(Latency) : Task.FromException<TimeSpan>(Failure);
        }
    }
}
