using Dexter.Sessions.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Configuration;

/// <summary>
/// The bare variable names (REDIS_URL, DEXTER_*, …) count only where the application calls <c>AddDexterSessionsEnvironmentVariables()</c>.
/// These tests set real process environment variables, as a host's operator would.
/// </summary>
[NonParallelizable]
public sealed class DexterSessionsEnvironmentVariablesTests
{
    private static IHost BuildHost(bool optIn)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddEnvironmentVariables();
        if (optIn)
        {
            builder.Configuration.AddDexterSessionsEnvironmentVariables();
        }

        builder.Services.AddDexterSessions();
        return builder.Build();
    }

    [Test]
    public async Task StartAsync_NotOptedIn_TheHostsOwnVariablesOfTheSameNamesAreIgnored()
    {
        using var _ = new EnvironmentVariableScope(
            ("DEXTER_MAX_CONTEXT_MESSAGES", "0"), ("DEXTER_SUMMARIZE_LLM", "perhaps"), ("DEXTER_SESSION_TTL_SECONDS", "-5"));
        using var host = BuildHost(optIn: false);

        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<DexterSessionsOptions>>().Value;
        await host.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(DexterSessionsOptions.DefaultMaxContextMessages));
            Assert.That(options.SummarizeWithLlm, Is.False);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromHours(24)));
        });
    }

    [Test]
    public async Task StartAsync_OptedIn_TheVariablesAreHonoured()
    {
        using var _ = new EnvironmentVariableScope(
            ("DEXTER_MAX_CONTEXT_MESSAGES", "5"), ("DEXTER_USE_EMBEDDINGS", "yes"), ("DEXTER_SESSION_TTL_SECONDS", "120"));
        using var host = BuildHost(optIn: true);

        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<DexterSessionsOptions>>().Value;
        await host.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(5));
            Assert.That(options.UseEmbeddings, Is.True);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(2)));
        });
    }

    [Test]
    public async Task StartAsync_OptedIn_SectionKeyWinsOverTheBareName()
    {
        using var _ = new EnvironmentVariableScope(("DEXTER_MAX_CONTEXT_MESSAGES", "5"), ("Dexter__Sessions__MaxContextMessages", "6"));
        using var host = BuildHost(optIn: true);

        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<DexterSessionsOptions>>().Value;
        await host.StopAsync();

        Assert.That(options.MaxContextMessages, Is.EqualTo(6));
    }

    [Test]
    public void StartAsync_OptedIn_InvalidValue_FailsNamingTheSetting()
    {
        using var _ = new EnvironmentVariableScope(("DEXTER_MAX_CONTEXT_MESSAGES", "0"));
        using var host = BuildHost(optIn: true);

        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(ex!.Message, Does.Contain("DEXTER_MAX_CONTEXT_MESSAGES").And.Contain("it is 0"));
    }

    [Test]
    public void StartAsync_OptedIn_MalformedValue_FailsNamingTheVariable()
    {
        using var _ = new EnvironmentVariableScope(("DEXTER_USE_EMBEDDINGS", "perhaps"));
        using var host = BuildHost(optIn: true);

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(ex!.Message, Does.Contain("Dexter:Sessions:UseEmbeddings (DEXTER_USE_EMBEDDINGS)").And.Contain("'perhaps'"));
    }

    [Test]
    public void AddDexterSessionsEnvironmentVariables_MapsEveryNameOfTheOriginalSystemAndTheReservedOnes()
    {
        Assert.That(DexterSessionsEnvironmentVariables.ConfigurationKeys, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["REDIS_URL"] = "Dexter:Sessions:Redis:Configuration",
            ["DEXTER_SUMMARIZE_LLM"] = "Dexter:Sessions:SummarizeWithLlm",
            ["DEXTER_USE_EMBEDDINGS"] = "Dexter:Sessions:UseEmbeddings",
            ["DEXTER_MAX_CONTEXT_MESSAGES"] = "Dexter:Sessions:MaxContextMessages",
            ["DEXTER_MAX_CONTEXT_TOKENS"] = "Dexter:Sessions:MaxContextTokens",
            ["DEXTER_SESSION_TTL_SECONDS"] = "Dexter:Sessions:SessionTtlSeconds",
            ["DEXTER_ENCRYPT_AT_REST"] = "Dexter:Sessions:EncryptAtRest",
            ["DEXTER_ROLLING_SUMMARY"] = "Dexter:Sessions:RollingSummary",
            ["DEXTER_ROLLING_SUMMARY_MAX_TOKENS"] = "Dexter:Sessions:RollingSummaryMaxTokens",
            ["DEXTER_RECORD_INTERRUPTED_TURNS"] = "Dexter:Sessions:RecordInterruptedTurns",
            ["JWT_SECRET"] = "Dexter:Sessions:Endpoints:JwtSecret",
            ["BACKEND_API_KEY"] = "Dexter:Sessions:Endpoints:ApiKey",
            ["SECURE_COOKIES"] = "Dexter:Sessions:Endpoints:SecureCookies",
            ["DEXTER_RATE_LIMIT_PER_MINUTE"] = "Dexter:Sessions:RateLimit:PermitsPerMinute",
            ["DEXTER_POSTGRES_URL"] = "Dexter:Sessions:PostgreSql:ConnectionString",
            ["DEXTER_SQLITE_PATH"] = "Dexter:Sessions:Sqlite:Path",
        }));
    }

    [Test]
    public void AddDexterSessionsEnvironmentVariables_ValuesAppearAsSectionsAndChildren()
    {
        using var _ = new EnvironmentVariableScope(("REDIS_URL", "redis://cache:6379/0"), ("JWT_SECRET", "s"), ("DEXTER_SQLITE_PATH", "/data/s.db"));
        var configuration = new ConfigurationBuilder().AddDexterSessionsEnvironmentVariables().Build();

        Assert.Multiple(() =>
        {
            Assert.That(configuration["Dexter:Sessions:Redis:Configuration"], Is.EqualTo("redis://cache:6379/0"));
            Assert.That(configuration["dexter:sessions:sqlite:path"], Is.EqualTo("/data/s.db"));
            Assert.That(configuration["REDIS_URL"], Is.Null, "only the section keys are given");
            Assert.That(configuration.GetSection("Dexter:Sessions").GetChildren().Select(c => c.Key), Is.SupersetOf(new[] { "Redis", "Endpoints", "Sqlite" }));
            Assert.That(configuration.GetSection("Dexter:Sessions:Endpoints").GetChildren().Select(c => c.Key), Is.EquivalentTo(new[] { "JwtSecret" }));
        });
    }

    [Test]
    public void NameFor_MappedAndUnmappedKeys()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DexterSessionsEnvironmentVariables.NameFor("dexter:sessions:redis:configuration"), Is.EqualTo("REDIS_URL"));
            Assert.That(DexterSessionsEnvironmentVariables.NameFor("Dexter:Sessions:Instructions"), Is.Null);
            Assert.That(() => DexterSessionsEnvironmentVariables.NameFor(null!), Throws.ArgumentNullException);
            Assert.That(() => ((IConfigurationBuilder)null!).AddDexterSessionsEnvironmentVariables(), Throws.ArgumentNullException);
        });
    }
}
