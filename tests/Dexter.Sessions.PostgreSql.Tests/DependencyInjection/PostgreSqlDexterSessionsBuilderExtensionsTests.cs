using Dexter.Sessions.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Dexter.Sessions.PostgreSql.Tests.DependencyInjection;

[TestFixture]
public sealed class PostgreSqlDexterSessionsBuilderExtensionsTests
{
    private static PostgreSqlServer Server => SharedPostgreSqlServer.Server;

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
    public async Task UsePostgreSql_PostgresUrlOptedIn_RegistersOneStoreThatWritesThere()
    {
        var services = Services(("DEXTER_POSTGRES_URL", Server.Url));
        services.AddDexterSessions().UsePostgreSql();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var store = provider.GetRequiredService<ISessionStore>();

        Assert.Multiple(async () =>
        {
            Assert.That(store, Is.InstanceOf<PostgreSqlSessionStore>());
            Assert.That(store, Is.SameAs(provider.GetRequiredService<PostgreSqlSessionStore>()));
            Assert.That(((PostgreSqlSessionStore)store).Endpoint, Is.EqualTo($"127.0.0.1:{Server.Port}/postgres"));
            Assert.That((await store.AppendAsync(SessionId.New(), Turn("q"))).Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UsePostgreSql_SettingsInConfiguration_AreBoundAndConfigureRunsLast()
    {
        var services = Services(
            ("Dexter:Sessions:PostgreSql:ConnectionString", Server.ConnectionString),
            ("Dexter:Sessions:PostgreSql:Schema", "bound_schema"),
            ("Dexter:Sessions:PostgreSql:TablePrefix", "bound_"),
            ("Dexter:Sessions:PostgreSql:CreateSchema", "false"),
            ("Dexter:Sessions:PostgreSql:SessionTtl", "00:10:00"),
            ("Dexter:Sessions:PostgreSql:ConnectTimeout", "00:00:02"),
            ("Dexter:Sessions:PostgreSql:OperationTimeout", "00:00:03"),
            ("Dexter:Sessions:PostgreSql:CleanupInterval", "00:01:00"),
            ("Dexter:Sessions:PostgreSql:CleanupBatchSize", "50"));
        services.AddDexterSessions().UsePostgreSql(o => o.TablePrefix = "configured_");
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PostgreSqlSessionStoreOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.ConnectionString, Is.EqualTo(Server.ConnectionString));
            Assert.That(options.Schema, Is.EqualTo("bound_schema"));
            Assert.That(options.TablePrefix, Is.EqualTo("configured_"));
            Assert.That(options.CreateSchema, Is.False);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(options.ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(options.OperationTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(options.CleanupInterval, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(options.CleanupBatchSize, Is.EqualTo(50));
        });
    }

    [Test]
    public async Task UsePostgreSql_NoTtlOfItsOwn_TakesTheSessionTtlOfDexterSessions()
    {
        var services = Services(("DEXTER_POSTGRES_URL", Server.Url), ("DEXTER_SESSION_TTL_SECONDS", "120"));
        services.AddDexterSessions().UsePostgreSql();
        await using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IOptions<PostgreSqlSessionStoreOptions>>().Value.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(2)));
    }

    [Test]
    public async Task UsePostgreSql_MalformedUrl_FailsAtStartupNamingItWithThePasswordHidden()
    {
        var services = Services(("DEXTER_POSTGRES_URL", "postgres://app:hunter2@db:notaport/x"));
        services.AddDexterSessions().UsePostgreSql();
        await using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IOptions<PostgreSqlSessionStoreOptions>>().Value, Throws.InvalidOperationException
            .With.Message.Contains("Dexter:Sessions:PostgreSql:ConnectionString (DEXTER_POSTGRES_URL)")
            .And.Message.Contains("app:***@db")
            .And.Message.Not.Contains("hunter2"));
    }

    [TestCase("Dexter:Sessions:PostgreSql:CleanupBatchSize", "lots", "a whole number")]
    [TestCase("Dexter:Sessions:PostgreSql:CreateSchema", "maybe", "true or false")]
    [TestCase("Dexter:Sessions:PostgreSql:OperationTimeout", "5s", "a time span such as 00:00:05 or 1.00:00:00")]
    public async Task UsePostgreSql_MalformedSetting_FailsNamingIt(string key, string value, string expected)
    {
        var services = Services(("DEXTER_POSTGRES_URL", "postgres://app@db/x"), (key, value));
        services.AddDexterSessions().UsePostgreSql();
        await using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IOptions<PostgreSqlSessionStoreOptions>>().Value, Throws.InvalidOperationException.With.Message.EqualTo(
            $"The setting {key} has the value '{value}', which is not {expected}. Correct or remove it."));
    }

    [Test]
    public async Task UsePostgreSql_NoDatabaseAnywhere_FailsValidationNamingTheSetting()
    {
        var services = Services();
        services.AddDexterSessions().UsePostgreSql();
        await using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<IOptions<PostgreSqlSessionStoreOptions>>().Value,
            Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("DEXTER_POSTGRES_URL"));
    }

    [Test]
    public async Task UsePostgreSql_InvalidSetting_FailsWhenTheHostStarts()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("Dexter:Sessions:PostgreSql:ConnectionString", Server.ConnectionString), new("Dexter:Sessions:PostgreSql:Schema", "Bad Schema")]);
        builder.Services.AddDexterSessions().UsePostgreSql();
        using var host = builder.Build();

        Assert.That(() => host.StartAsync(), Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("Dexter:Sessions:PostgreSql:Schema"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task UsePostgreSql_DataSourceRegistered_UsesItAndNeverDisposesIt()
    {
        var services = Services();
        await using var dataSource = NpgsqlDataSource.Create(Server.ConnectionString);
        services.AddSingleton(dataSource);
        services.AddDexterSessions().UsePostgreSql();

        await using (var provider = services.BuildServiceProvider())
        {
            var store = provider.GetRequiredService<ISessionStore>();
            Assert.That((await store.AppendAsync(SessionId.New(), Turn("q"))).Id, Is.EqualTo(1));
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.That(connection.State, Is.EqualTo(System.Data.ConnectionState.Open), "the application's data source is still usable");
    }

    [Test]
    public async Task UsePostgreSqlWhenConfigured_NothingConfigured_UsesTheInMemoryStore()
    {
        var services = Services(); // a host's own DEXTER_POSTGRES_URL is not read without the opt-in
        services.AddDexterSessions().UsePostgreSqlWhenConfigured();
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<InMemorySessionStore>());
    }

    [Test]
    public async Task UsePostgreSqlWhenConfigured_PostgresUrlSet_UsesThePostgreSqlStore()
    {
        var services = Services(("DEXTER_POSTGRES_URL", Server.Url));
        services.AddDexterSessions().UsePostgreSqlWhenConfigured();
        await using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<PostgreSqlSessionStore>());
    }

    [Test]
    public void UsePostgreSql_CalledTwice_RegistersOneStoreAndOneCleanupService()
    {
        var services = Services(("DEXTER_POSTGRES_URL", Server.Url));
        services.AddDexterSessions().UsePostgreSql().UsePostgreSql();

        Assert.Multiple(() =>
        {
            Assert.That(services.Count(d => d.ServiceType == typeof(PostgreSqlSessionStore)), Is.EqualTo(1));
            Assert.That(services.Count(d => d.ImplementationType == typeof(PostgreSqlExpiredSessionCleanupService)), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task CleanupService_HostStarted_DeletesExpiredSessions()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var schema = PostgreSqlStores.NewSchema();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("Dexter:Sessions:PostgreSql:ConnectionString", Server.ConnectionString), new("Dexter:Sessions:PostgreSql:Schema", schema)]);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddDexterSessions().UsePostgreSql(o => (o.CleanupBatchSize, o.SessionTtl) = (2, TimeSpan.FromMinutes(1)));
        using var host = builder.Build();
        var store = host.Services.GetRequiredService<PostgreSqlSessionStore>();
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync("expiring-" + i, Turn("q"));
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        await host.StartAsync();
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            long left;
            while ((left = (long)(await PostgreSqlStores.ScalarAsync(Server.ConnectionString, $"SELECT count(*) FROM {schema}.dexter_sessions"))!) > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.That(left, Is.Zero, "the service deletes every expired session, two per batch");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Test]
    public async Task HealthCheck_DatabaseAnswers_IsHealthy_AndWithoutPostgreSql_ReportsNothingToCheck()
    {
        var services = Services(("DEXTER_POSTGRES_URL", Server.Url));
        services.AddLogging();
        services.AddDexterSessions().UsePostgreSql();
        services.AddHealthChecks().AddDexterSessionsPostgreSql(tags: ["ready"]);
        await using var provider = services.BuildServiceProvider();
        var memoryServices = Services();
        memoryServices.AddLogging();
        memoryServices.AddDexterSessions().UsePostgreSqlWhenConfigured();
        memoryServices.AddHealthChecks().AddDexterSessionsPostgreSql();
        await using var memoryProvider = memoryServices.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var memoryReport = await memoryProvider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Entries["dexter-sessions-postgresql"].Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(report.Entries["dexter-sessions-postgresql"].Description, Does.Contain($"PostgreSQL at 127.0.0.1:{Server.Port}/postgres answered"));
            Assert.That(report.Entries["dexter-sessions-postgresql"].Tags, Does.Contain("ready"));
            Assert.That(memoryReport.Entries["dexter-sessions-postgresql"].Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(memoryReport.Entries["dexter-sessions-postgresql"].Description, Does.Contain("not PostgreSQL"));
        });
    }

    [Test]
    public async Task HealthCheck_DatabaseDown_IsUnhealthyNamingIt()
    {
        var port = RedisServer.FreePort();
        var store = PostgreSqlStores.Create($"Host=127.0.0.1;Port={port};Username=dexter", configure: o => o.OperationTimeout = TimeSpan.FromSeconds(2));
        await using var _ = store;
        var check = new SessionStoreHealthCheck(store);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("pg", check, HealthStatus.Degraded, null) };

        var result = await check.CheckHealthAsync(context);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(result.Description, Does.Contain($"127.0.0.1:{port}/dexter"));
            Assert.That(result.Exception, Is.InstanceOf<SessionStoreUnavailableException>());
        });
    }

    [Test]
    public void Extensions_NullBuilder_ThrowArgumentNullException()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => PostgreSqlDexterSessionsBuilderExtensions.UsePostgreSql(null!), Throws.ArgumentNullException);
            Assert.That(() => PostgreSqlDexterSessionsBuilderExtensions.UsePostgreSqlWhenConfigured(null!), Throws.ArgumentNullException);
            Assert.That(() => PostgreSqlSessionStoreHealthChecksBuilderExtensions.AddDexterSessionsPostgreSql(null!), Throws.ArgumentNullException);
        });
    }
}
