using System.Threading.RateLimiting;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.Redis.Tests.DependencyInjection;

[TestFixture]
public sealed class RedisRateLimitsBuilderExtensionsTests
{
    private RedisServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private ServiceProvider Provider(Action<IDexterSessionsBuilder> configure)
    {
        var services = new ServiceCollection();
        configure(services.AddDexterSessions());
        return services.BuildServiceProvider();
    }

    private static Func<string, FixedWindowRateLimiterOptions, RateLimiter> Factory(IServiceProvider provider) =>
        provider.GetRequiredKeyedService<Func<string, FixedWindowRateLimiterOptions, RateLimiter>>(RedisRateLimitsBuilderExtensions.RateLimiterFactoryServiceKey);

    private static FixedWindowRateLimiterOptions TwoAMinute => new() { PermitLimit = 2, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };

    [Test]
    public async Task UseRedisRateLimits_TwoProcessesOnOneServer_ShareThePermitsOfAPartition()
    {
        var prefix = "limits-" + Guid.NewGuid().ToString("N") + ":";
        await using var first = Provider(b => b.UseRedis(o => { o.Configuration = _server.Endpoint; o.KeyPrefix = prefix; }).UseRedisRateLimits());
        await using var second = Provider(b => b.UseRedis(o => { o.Configuration = _server.Endpoint; o.KeyPrefix = prefix; }).UseRedisRateLimits());
        using var a = Factory(first)("session:s1", TwoAMinute);
        using var b = Factory(second)("session:s1", TwoAMinute);
        using var other = Factory(second)("session:s2", TwoAMinute);

        var granted = new List<bool>();
        foreach (var limiter in new[] { a, b, a })
        {
            using var lease = await limiter.AcquireAsync(1);
            granted.Add(lease.IsAcquired);
        }

        using var otherLease = await other.AcquireAsync(1);

        Assert.Multiple(async () =>
        {
            Assert.That(granted, Is.EqualTo(new[] { true, true, false }), "two permits a minute between both processes");
            Assert.That(otherLease.IsAcquired, Is.True, "another partition has its own permits");
            Assert.That(await _server.CliAsync("--scan"), Does.Contain("rl:fw:{" + prefix + "ratelimit:session:s1}"), "the store's key prefix keeps apps apart");
        });
    }

    [Test]
    public async Task UseRedisRateLimits_StoreIsNotRedis_KeepsTheLimitsInTheProcess()
    {
        await using var provider = Provider(b => b.UseRedisWhenConfigured().UseRedisRateLimits());

        using var limiter = Factory(provider)("client:c1", TwoAMinute);

        Assert.That(limiter, Is.InstanceOf<FixedWindowRateLimiter>());
    }

    [Test]
    public void UseRedisRateLimits_NullBuilder_Throws()
    {
        Assert.That(() => ((IDexterSessionsBuilder)null!).UseRedisRateLimits(), Throws.ArgumentNullException);
    }
}
