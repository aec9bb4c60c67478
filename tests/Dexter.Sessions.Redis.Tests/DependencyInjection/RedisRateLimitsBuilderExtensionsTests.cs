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
        provider.GetRequiredService<ISessionRateLimiterFactory>().Create;

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
    public async Task UseRedisRateLimits_ServerStopped_ThrowsSessionStoreUnavailableWithinTheTimeout_AndCountsAgainOnceItIsBack()
    {
        await using var server = await RedisServer.StartAsync();
        var timeout = TimeSpan.FromSeconds(1);
        await using var provider = Provider(b => b.UseRedis(o =>
        {
            o.Configuration = server.Endpoint;
            o.ConnectTimeout = timeout;
            o.OperationTimeout = timeout;
        }).UseRedisRateLimits());
        using var limiter = Factory(provider)("client:c1", TwoAMinute);
        using (var first = await limiter.AcquireAsync(1))
        {
            Assert.That(first.IsAcquired, Is.True);
        }

        server.Kill();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var failure = Assert.ThrowsAsync<SessionStoreUnavailableException>(async () => await limiter.AcquireAsync(1));
        var took = watch.Elapsed;

        await server.RestartAsync();
        RateLimitLease? after = null;
        for (var attempt = 0; attempt < 50 && after is null; attempt++)
        {
            try
            {
                after = await limiter.AcquireAsync(1);
            }
            catch (SessionStoreUnavailableException)
            {
                await Task.Delay(100);
            }
        }

        using (after)
        {
            Assert.Multiple(() =>
            {
                Assert.That(took, Is.LessThan(timeout + TimeSpan.FromSeconds(1.5)), "fails within the store's operation timeout, does not hang");
                Assert.That(failure!.Endpoint, Is.EqualTo(server.Endpoint), "named as the store names its server");
                Assert.That(failure.Message, Does.Contain("REDIS_URL"));
                Assert.That(after?.IsAcquired, Is.True, "the same limiter counts again once Redis is back (the restarted server lost the window)");
            });
        }
    }

    [Test]
    public async Task UseRedisRateLimits_ServerNeverReached_ThrowsSessionStoreUnavailable()
    {
        var port = RedisServer.FreePort();
        await using var provider = Provider(b => b.UseRedis(o =>
        {
            o.Configuration = "127.0.0.1:" + port;
            o.ConnectTimeout = TimeSpan.FromMilliseconds(500);
            o.OperationTimeout = TimeSpan.FromMilliseconds(500);
        }).UseRedisRateLimits());
        using var limiter = Factory(provider)("session:s1", TwoAMinute);

        Assert.That(async () => await limiter.AcquireAsync(1), Throws.InstanceOf<SessionStoreUnavailableException>());
    }

    [Test]
    public async Task UseRedisRateLimits_CancelledWhileWaiting_ThrowsOperationCanceled()
    {
        await using var provider = Provider(b => b.UseRedis(o => o.Configuration = _server.Endpoint).UseRedisRateLimits());
        using var limiter = Factory(provider)("session:cancelled", TwoAMinute);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.That(async () => await limiter.AcquireAsync(1, cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
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
