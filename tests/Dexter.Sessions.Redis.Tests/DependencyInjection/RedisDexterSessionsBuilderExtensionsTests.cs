using Dexter.Sessions.Testing;
using Dexter.Sessions.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Tests.DependencyInjection;

[TestFixture]
public sealed class RedisDexterSessionsBuilderExtensionsTests
{
    private RedisServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private string RedisUrl(int database = 0) => $"redis://{_server.Endpoint}/{database}";

    /// <summary>Services with a configuration that opted in to the bare variable names: keys with a colon are settings, others variables.</summary>
    private static ServiceCollection Services(params (string Key, string Value)[] settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton(SeedEnvironment.Build(
            settings.Where(s => !s.Key.Contains(':', StringComparison.Ordinal)),
            settings.Where(s => s.Key.Contains(':', StringComparison.Ordinal)).ToArray()));
        return services;
    }

    private static Message Turn(string query) => new() { Query = query, Answer = "answer" };

    [Test]
    public async Task UseRedis_WithConfiguration_RegistersOneRedisStoreAsTheSessionStore()
    {
        var services = Services();
        services.AddDexterSessions().UseRedis(o => o.Configuration = _server.Endpoint);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var store = provider.GetRequiredService<ISessionStore>();

        Assert.Multiple(async () =>
        {
            Assert.That(store, Is.InstanceOf<RedisSessionStore>());
            Assert.That(store, Is.SameAs(provider.GetRequiredService<RedisSessionStore>()));
            Assert.That(store, Is.SameAs(provider.GetRequiredService<ISessionStore>()), "a singleton");
            Assert.That((await store.AppendAsync(SessionId.New(), Turn("q"))).Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UseRedis_SettingsInConfiguration_AreBoundAndConfigureRunsLast()
    {
        var services = Services(
            ("Dexter:Sessions:Redis:Configuration", _server.Endpoint),
            ("Dexter:Sessions:Redis:KeyPrefix", "bound:"),
            ("Dexter:Sessions:Redis:SessionTtl", "00:10:00"),
            ("Dexter:Sessions:Redis:ConnectTimeout", "00:00:02"),
            ("Dexter:Sessions:Redis:OperationTimeout", "00:00:03"));
        services.AddDexterSessions().UseRedis(o => o.KeyPrefix = "configured:");
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RedisSessionStoreOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.Configuration, Is.EqualTo(_server.Endpoint));
            Assert.That(options.KeyPrefix, Is.EqualTo("configured:"));
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(options.ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(options.OperationTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
        });
    }

    [Test]
    public async Task UseRedis_NoRedisTtl_TakesTheSessionTtlOfDexterSessions()
    {
        var services = Services(("REDIS_URL", RedisUrl()));
        services.AddDexterSessions(o => o.SessionTtl = TimeSpan.FromHours(2)).UseRedis();
        await using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IOptions<RedisSessionStoreOptions>>().Value.SessionTtl, Is.EqualTo(TimeSpan.FromHours(2)));
    }

    [Test]
    public async Task UseRedis_NothingSet_DefaultsTo24HoursAndTheDefaultPrefix()
    {
        var services = Services(("REDIS_URL", RedisUrl()));
        services.AddDexterSessions().UseRedis();
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RedisSessionStoreOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromHours(24)));
            Assert.That(options.KeyPrefix, Is.EqualTo("dexter:session:"));
            Assert.That(options.ConnectTimeout, Is.Null);
            Assert.That(options.OperationTimeout, Is.Null);
        });
    }

    [Test]
    public async Task UseRedis_RedisUrlInConfiguration_StoresInItsDatabase()
    {
        var services = Services(("REDIS_URL", RedisUrl(database: 3)));
        services.AddDexterSessions().UseRedis(o => o.KeyPrefix = "url:");
        await using var provider = services.BuildServiceProvider();
        var id = SessionId.New();

        await provider.GetRequiredService<ISessionStore>().AppendAsync(id, Turn("q"));

        Assert.That(await _server.CliAsync("-n", "3", "exists", "url:{" + id + "}:meta"), Is.EqualTo("1"));
    }

    [Test]
    public async Task UseRedis_ConfigurationKeyAndRedisUrl_TheKeyWins()
    {
        var services = Services(("REDIS_URL", "redis://nowhere.invalid:1/0"), ("Dexter:Sessions:Redis:Configuration", _server.Endpoint));
        services.AddDexterSessions().UseRedis();
        await using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IOptions<RedisSessionStoreOptions>>().Value.Configuration, Is.EqualTo(_server.Endpoint));
    }

    [Test]
    [NonParallelizable]
    public async Task UseRedis_RedisUrlEnvironmentVariableOptedIn_ConnectsThere()
    {
        using (new EnvironmentVariableScope(("REDIS_URL", RedisUrl())))
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddEnvironmentVariables().AddDexterSessionsEnvironmentVariables().Build());
            services.AddDexterSessions().UseRedis();
            await using var provider = services.BuildServiceProvider();

            var store = provider.GetRequiredService<ISessionStore>();

            Assert.Multiple(async () =>
            {
                Assert.That(store, Is.InstanceOf<RedisSessionStore>());
                Assert.That(((RedisSessionStore)store).Endpoint, Is.EqualTo(_server.Endpoint));
                Assert.That((await store.AppendAsync(SessionId.New(), Turn("q"))).Id, Is.EqualTo(1));
            });
        }
    }

    [Test]
    [NonParallelizable]
    public async Task UseRedisWhenConfigured_HostsOwnRedisUrlNotOptedIn_IsIgnored()
    {
        // A host's own REDIS_URL, in a form the store could not even parse, neither stops it nor picks the store.
        using var _ = new EnvironmentVariableScope(("REDIS_URL", "http://cache:6379"));
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddEnvironmentVariables().Build());
        services.AddDexterSessions().UseRedisWhenConfigured();
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<InMemorySessionStore>());
    }

    [Test]
    [NonParallelizable]
    public async Task UseRedis_MalformedRedisUrlOptedIn_FailsAtStartupNamingIt()
    {
        using var _ = new EnvironmentVariableScope(("REDIS_URL", "http://cache:6379"));
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddDexterSessionsEnvironmentVariables().Build());
        services.AddDexterSessions().UseRedis();
        await using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IStartupValidator>().Validate(),
            Throws.InstanceOf<FormatException>().With.Message.Contains("REDIS_URL").And.Message.Contains("http://cache:6379"));
    }

    [Test]
    public async Task UseRedis_NoServerAnywhere_FailsAtStartupNamingRedisUrl()
    {
        var services = Services();
        services.AddDexterSessions().UseRedis();
        await using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IStartupValidator>().Validate(),
            Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("REDIS_URL"));
    }

    [Test]
    public async Task UseRedis_MalformedRedisUrl_FailsAtStartupNamingRedisUrl()
    {
        var services = Services(("REDIS_URL", "redis://localhost:6379/db-one"));
        services.AddDexterSessions().UseRedis();
        await using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IStartupValidator>().Validate(),
            Throws.InstanceOf<FormatException>().With.Message.StartsWith("The setting Dexter:Sessions:Redis:Configuration (REDIS_URL) has the value 'redis://localhost:6379/db-one'"));
    }

    [Test]
    public async Task UseRedis_MalformedSetting_FailsAtStartupNamingIt()
    {
        var services = Services(("REDIS_URL", RedisUrl()), ("Dexter:Sessions:Redis:SessionTtl", "one day"));
        services.AddDexterSessions().UseRedis();
        await using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IStartupValidator>().Validate(),
            Throws.InvalidOperationException.With.Message.Contains("Dexter:Sessions:Redis:SessionTtl"));
    }

    [Test]
    public async Task UseRedis_InvalidOptionFromCode_FailsStartupValidation()
    {
        var services = Services(("REDIS_URL", RedisUrl()));
        services.AddDexterSessions().UseRedis(o => o.KeyPrefix = "{tag}:");
        await using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IStartupValidator>().Validate(),
            Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("KeyPrefix"));
    }

    [Test]
    public async Task UseRedis_ConnectionMultiplexerRegistered_UsesItAndNeverDisposesIt()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint + ",defaultDatabase=5");
        var services = Services();
        services.AddSingleton<IConnectionMultiplexer>(connection);
        services.AddDexterSessions().UseRedis(o => o.KeyPrefix = "shared:");
        var id = SessionId.New();
        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            await provider.GetRequiredService<ISessionStore>().AppendAsync(id, Turn("q"));
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await _server.CliAsync("-n", "5", "exists", "shared:{" + id + "}:meta"), Is.EqualTo("1"), "written through the registered connection");
            Assert.That(connection.IsConnected, Is.True, "not closed by the store or the container");
            Assert.That(await connection.GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        });
    }

    [Test]
    public async Task UseRedisWhenConfigured_NoServerConfigured_UsesTheInMemoryStore()
    {
        var services = Services();
        services.AddDexterSessions().UseRedisWhenConfigured();
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<InMemorySessionStore>());
    }

    [Test]
    public async Task UseRedisWhenConfigured_RedisUrlSet_UsesTheRedisStore()
    {
        var services = Services(("REDIS_URL", RedisUrl()));
        services.AddDexterSessions().UseRedisWhenConfigured();
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var store = provider.GetRequiredService<ISessionStore>();

        Assert.Multiple(async () =>
        {
            Assert.That(store, Is.SameAs(provider.GetRequiredService<RedisSessionStore>()));
            Assert.That((await store.AppendAsync(SessionId.New(), Turn("q"))).Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UseRedisWhenConfigured_ConfigurationKeySet_UsesTheRedisStore()
    {
        var services = Services(("Dexter:Sessions:Redis:Configuration", _server.Endpoint));
        services.AddDexterSessions().UseRedisWhenConfigured();
        await using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<RedisSessionStore>());
    }

    [Test]
    public async Task UseRedisWhenConfigured_MalformedRedisUrl_FailsAtStartupNamingRedisUrl()
    {
        var services = Services(("REDIS_URL", "redis://:6379"));
        services.AddDexterSessions().UseRedisWhenConfigured();
        await using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IStartupValidator>().Validate(),
            Throws.InstanceOf<FormatException>().With.Message.Contains("REDIS_URL"));
    }

    [Test]
    public async Task UseRedis_AfterAnApplicationStore_ReplacesIt()
    {
        var services = Services(("REDIS_URL", RedisUrl()));
        services.AddSingleton<ISessionStore, InMemorySessionStore>();
        services.AddDexterSessions().UseRedis().UseRedis();
        await using var provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<RedisSessionStore>());
            Assert.That(services.Count(d => d.ServiceType == typeof(ISessionStore)), Is.EqualTo(1));
            Assert.That(services.Count(d => d.ServiceType == typeof(RedisSessionStore)), Is.EqualTo(1));
        });
    }

    [Test]
    public void UseRedis_NullBuilder_ThrowsArgumentNullException()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => RedisDexterSessionsBuilderExtensions.UseRedis(null!), Throws.ArgumentNullException);
            Assert.That(() => RedisDexterSessionsBuilderExtensions.UseRedisWhenConfigured(null!), Throws.ArgumentNullException);
        });
    }
}
