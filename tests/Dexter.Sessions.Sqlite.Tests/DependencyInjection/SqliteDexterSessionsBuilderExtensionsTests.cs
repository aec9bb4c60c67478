using Dexter.Sessions.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Sqlite.Tests.DependencyInjection;

[TestFixture]
public sealed class SqliteDexterSessionsBuilderExtensionsTests
{
    private TemporaryDatabase _database = null!;

    [SetUp]
    public void CreateDatabase() => _database = new TemporaryDatabase();

    [TearDown]
    public void DeleteDatabase() => _database.Dispose();

    /// <summary>Services with a configuration that opted in to the bare variable names: keys with a colon are settings, others variables.</summary>
    private static ServiceCollection Services(params (string Key, string Value)[] settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton(SeedEnvironment.Build(
            settings.Where(s => !s.Key.Contains(':', StringComparison.Ordinal)),
            settings.Where(s => s.Key.Contains(':', StringComparison.Ordinal)).ToArray()));
        return services;
    }

    private static ServiceProvider Build(IServiceCollection services) =>
        services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    private static Message Turn(string query) => new() { Query = query, Answer = "answer" };

    [Test]
    public async Task UseSqlite_WithPath_RegistersOneSqliteStoreAndTheCleanupService()
    {
        var services = Services();
        services.AddDexterSessions().UseSqlite(o => o.Path = _database.Path);
        using var provider = Build(services);

        var store = provider.GetRequiredService<ISessionStore>();

        Assert.Multiple(async () =>
        {
            Assert.That(store, Is.InstanceOf<SqliteSessionStore>());
            Assert.That(store, Is.SameAs(provider.GetRequiredService<SqliteSessionStore>()));
            Assert.That(provider.GetServices<IHostedService>().OfType<SqliteSessionCleanupService>().Count(), Is.EqualTo(1));
            Assert.That((await store.AppendAsync(SessionId.New(), Turn("q"))).Id, Is.EqualTo(1));
        });
    }

    [Test]
    public void UseSqlite_SettingsInConfiguration_AreBoundAndConfigureRunsLast()
    {
        var services = Services(
            ("DEXTER_SQLITE_PATH", _database.Path),
            ("Dexter:Sessions:Sqlite:TablePrefix", "bound_"),
            ("Dexter:Sessions:Sqlite:CreateSchema", "false"),
            ("Dexter:Sessions:Sqlite:SessionTtl", "00:10:00"),
            ("Dexter:Sessions:Sqlite:Timeout", "00:00:02"),
            ("Dexter:Sessions:Sqlite:Durability", "Normal"),
            ("Dexter:Sessions:Sqlite:CleanupInterval", "00:01:00"),
            ("Dexter:Sessions:Sqlite:CleanupBatchSize", "7"));
        services.AddDexterSessions().UseSqlite(o => o.CleanupBatchSize = 9);
        using var provider = Build(services);

        var options = provider.GetRequiredService<IOptions<SqliteSessionStoreOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.Path, Is.EqualTo(_database.Path));
            Assert.That(options.TablePrefix, Is.EqualTo("bound_"));
            Assert.That(options.CreateSchema, Is.False);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(options.Durability, Is.EqualTo(SqliteDurability.Normal));
            Assert.That(options.CleanupInterval, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(options.CleanupBatchSize, Is.EqualTo(9));
        });
    }

    [Test]
    public void UseSqlite_NoPath_FailsValidationNamingTheSetting()
    {
        var services = Services();
        services.AddDexterSessions().UseSqlite();
        using var provider = Build(services);

        Assert.That(
            () => provider.GetRequiredService<IOptions<SqliteSessionStoreOptions>>().Value,
            Throws.InstanceOf<OptionsValidationException>().With.Message.Contain("Dexter:Sessions:Sqlite:Path"));
    }

    [TestCase("Dexter:Sessions:Sqlite:Timeout", "soon", "a time span")]
    [TestCase("Dexter:Sessions:Sqlite:Durability", "always", "Full or Normal")]
    [TestCase("Dexter:Sessions:Sqlite:CleanupBatchSize", "0", "CleanupBatchSize must be at least 1")]
    public void UseSqlite_MalformedSetting_FailsNamingIt(string key, string value, string expected)
    {
        var services = Services(("Dexter:Sessions:Sqlite:Path", _database.Path), (key, value));
        services.AddDexterSessions().UseSqlite();
        using var provider = Build(services);

        Assert.That(() => provider.GetRequiredService<IOptions<SqliteSessionStoreOptions>>().Value, Throws.Exception.With.Message.Contain(key).And.Message.Contain(expected));
    }

    [Test]
    public void UseSqliteWhenConfigured_PathSet_UsesSqlite()
    {
        var services = Services(("DEXTER_SQLITE_PATH", _database.Path));
        services.AddDexterSessions().UseSqliteWhenConfigured();
        using var provider = Build(services);

        Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<SqliteSessionStore>());
    }

    [Test]
    public async Task UseSqliteWhenConfigured_NoPath_UsesMemoryAndTheCleanupServiceDoesNothing()
    {
        var services = Services();
        services.AddDexterSessions().UseSqliteWhenConfigured();
        using var provider = Build(services);

        var service = provider.GetServices<IHostedService>().OfType<SqliteSessionCleanupService>().Single();
        await service.StartAsync(CancellationToken.None);
        await service.ExecuteTask!;

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<ISessionStore>(), Is.InstanceOf<InMemorySessionStore>());
            Assert.That(service.ExecuteTask.IsCompletedSuccessfully, Is.True);
            Assert.That(File.Exists(_database.Path), Is.False);
        });
    }

    [Test]
    public async Task AddDexterSessionsSqlite_UsableFile_ReportsHealthy()
    {
        var services = Services();
        services.AddLogging();
        services.AddDexterSessions().UseSqlite(o => o.Path = _database.Path);
        services.AddHealthChecks().AddDexterSessionsSqlite(tags: ["ready"]);
        using var provider = Build(services);

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(report.Entries["dexter-sessions-sqlite"].Description, Does.StartWith($"The SQLite session database {_database.Path} answered in "));
            Assert.That(report.Entries["dexter-sessions-sqlite"].Tags, Does.Contain("ready"));
        });
    }

    [Test]
    public async Task AddDexterSessionsSqlite_DirectoryMissing_ReportsTheFailureStatusNamingTheFile()
    {
        var path = Path.Combine(_database.Directory, "missing", "sessions.db");
        var services = Services();
        services.AddLogging();
        services.AddDexterSessions().UseSqlite(o => o.Path = path);
        services.AddHealthChecks().AddDexterSessionsSqlite("sessions", HealthStatus.Degraded);
        using var provider = Build(services);

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Entries["sessions"].Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(report.Entries["sessions"].Description, Does.Contain(path));
            Assert.That(report.Entries["sessions"].Exception, Is.InstanceOf<SessionStoreUnavailableException>());
        });
    }

    [Test]
    public async Task AddDexterSessionsSqlite_StoreIsNotSqlite_ReportsHealthy()
    {
        var services = Services();
        services.AddLogging();
        services.AddDexterSessions().UseSqliteWhenConfigured();
        services.AddHealthChecks().AddDexterSessionsSqlite();
        using var provider = Build(services);

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
    }
}
