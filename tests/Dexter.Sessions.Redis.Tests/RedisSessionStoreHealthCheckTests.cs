using Dexter.Sessions.Testing;
using Dexter.Sessions.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions.Redis.Tests;

[TestFixture]
public sealed class RedisSessionStoreHealthCheckTests
{
    private RedisServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private static HealthCheckContext Context(IHealthCheck check) =>
        new() { Registration = new HealthCheckRegistration("redis", check, HealthStatus.Unhealthy, tags: null) };

    [Test]
    public async Task CheckHealthAsync_ServerAnswers_ReturnsHealthy()
    {
        await using var store = RedisStores.Create(_server.Endpoint);
        var check = new SessionStoreHealthCheck(store);

        var result = await check.CheckHealthAsync(Context(check));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(result.Description, Does.StartWith($"Redis at {_server.Endpoint} answered in "));
        });
    }

    [Test]
    public async Task CheckHealthAsync_NothingListens_ReturnsUnhealthyNamingTheEndpoint()
    {
        var endpoint = "127.0.0.1:" + RedisServer.FreePort();
        await using var store = RedisStores.Create(endpoint, o =>
        {
            o.ConnectTimeout = TimeSpan.FromMilliseconds(500);
            o.OperationTimeout = TimeSpan.FromMilliseconds(500);
        });
        var check = new SessionStoreHealthCheck(store);

        var result = await check.CheckHealthAsync(Context(check));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(result.Description, Does.Contain(endpoint));
            Assert.That(result.Exception, Is.InstanceOf<SessionStoreUnavailableException>());
        });
    }

    [Test]
    public async Task AddDexterSessionsRedis_RedisStore_ReportsThroughTheHealthCheckService()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddDexterSessions().UseRedis(o => o.Configuration = _server.Endpoint);
        services.AddHealthChecks().AddDexterSessionsRedis(tags: ["ready"]);
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(report.Entries.Keys, Is.EqualTo(new[] { "dexter-sessions-redis" }));
            Assert.That(report.Entries["dexter-sessions-redis"].Tags, Is.EqualTo(new[] { "ready" }));
        });
    }

    [Test]
    public async Task AddDexterSessionsRedis_RedisStoreBehindADecorator_ChecksTheRedisStore()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddDexterSessions();
        services.AddSingleton<ISessionStore>(_ => new PassThroughStore(RedisStores.Create("127.0.0.1:1", o => o.ConnectTimeout = TimeSpan.FromMilliseconds(300))));
        services.AddHealthChecks().AddDexterSessionsRedis("sessions");
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Entries["sessions"].Status, Is.EqualTo(HealthStatus.Unhealthy), "the Redis store behind the decorator was checked");
            Assert.That(report.Entries["sessions"].Description, Does.Contain("127.0.0.1:1"));
        });
    }

    private sealed class PassThroughStore(ISessionStore inner) : DelegatingSessionStore(inner, disposeInner: true);

    [Test]
    public async Task AddDexterSessionsRedis_InMemoryStore_ReportsHealthy()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddDexterSessions().UseRedisWhenConfigured();
        services.AddHealthChecks().AddDexterSessionsRedis("sessions");
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Entries["sessions"].Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(report.Entries["sessions"].Description, Does.Contain("not Redis"));
        });
    }

    [Test]
    public async Task RedisSessionStoreHealthCheck_FormerType_ChecksAsSessionStoreHealthCheckDoes()
    {
        await using var store = RedisStores.Create(_server.Endpoint);
#pragma warning disable CS0618 // the former type still works
        var check = new RedisSessionStoreHealthCheck(store);
        Assert.That(() => new RedisSessionStoreHealthCheck(null!), Throws.ArgumentNullException);
#pragma warning restore CS0618

        var result = await check.CheckHealthAsync(Context(check));

        Assert.That(result.Description, Does.StartWith($"Redis at {_server.Endpoint} answered in "));
    }
}
