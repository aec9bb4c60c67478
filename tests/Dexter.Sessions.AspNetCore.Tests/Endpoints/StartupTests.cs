using Dexter.Sessions.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.AspNetCore.Tests;

public sealed class StartupTests
{
    [Test]
    public async Task MapDexterSessions_AddDexterSessionsNotCalled_ThrowsNamingTheFix()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddChatClient(new FakeChatClient());
        await using var app = builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => app.MapDexterSessions("/agent"));

        Assert.That(ex!.Message, Does.Contain("AddDexterSessions().AddEndpoints()"));
    }

    [Test]
    public async Task MapDexterSessions_AddEndpointsNotCalled_ThrowsNamingTheFix()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddChatClient(new FakeChatClient());
        builder.Services.AddDexterSessions();
        await using var app = builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => app.MapDexterSessions("/agent"));

        Assert.That(ex!.Message, Does.Contain(".AddEndpoints()"));
    }

    [Test]
    public async Task MapDexterSessions_NoChatClient_ThrowsNamingTheFix()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddDexterSessions().AddEndpoints();
        await using var app = builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => app.MapDexterSessions("/agent"));

        Assert.That(ex!.Message, Does.Contain("IChatClient"));
    }

    [Test]
    [NonParallelizable]
    public async Task MapDexterSessions_OptedInJwtSecretTooShort_FailsAtStartupNamingTheSetting()
    {
        using var _ = new EnvironmentVariableScope(("JWT_SECRET", "your-secret-key"));
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddDexterSessionsEnvironmentVariables();
        builder.Services.AddChatClient(new FakeChatClient());
        builder.Services.AddDexterSessions().AddEndpoints();
        await using var app = builder.Build();

        var ex = Assert.Throws<OptionsValidationException>(() => app.MapDexterSessions("/agent"));

        Assert.That(ex!.Message, Does.Contain("JWT_SECRET").And.Contain("32 bytes").And.Not.Contain("your-secret-key"));
    }

    [Test]
    [NonParallelizable]
    public async Task MapDexterSessions_OptedInMalformedRateLimit_FailsAtStartupNamingTheSetting()
    {
        using var _ = new EnvironmentVariableScope(("DEXTER_RATE_LIMIT_PER_MINUTE", "ten"));
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddDexterSessionsEnvironmentVariables();
        builder.Services.AddChatClient(new FakeChatClient());
        builder.Services.AddDexterSessions().AddEndpoints();
        await using var app = builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => app.MapDexterSessions("/agent"));

        Assert.That(ex!.Message, Does.Contain("DEXTER_RATE_LIMIT_PER_MINUTE").And.Contain("'ten'"));
    }

    [Test]
    [NonParallelizable]
    public async Task MapDexterSessions_HostsOwnSeedNamedVariablesNotOptedIn_AreIgnored()
    {
        using var _ = new EnvironmentVariableScope(
            ("JWT_SECRET", "short-app-secret"), ("DEXTER_RATE_LIMIT_PER_MINUTE", "ten"), ("BACKEND_API_KEY", "app-key"), ("SECURE_COOKIES", "maybe"));
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddChatClient(new FakeChatClient());
        builder.Services.AddDexterSessions().AddEndpoints();
        await using var app = builder.Build();

        app.MapDexterSessions("/agent");
        var options = app.Services.GetRequiredService<IOptions<DexterSessionsEndpointOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.JwtSecret, Is.Null);
            Assert.That(options.ApiKey, Is.Null);
            Assert.That(options.RateLimitPermitsPerMinute, Is.EqualTo(DexterSessionsEndpointOptions.DefaultRateLimitPermitsPerMinute));
        });
    }

    [Test]
    public async Task MapDexterSessions_Always_ReturnsTheRouteGroupForFurtherConventions()
    {
        await using var app = await TestApp.StartAsync(map: a => a.MapDexterSessions("/api/v2/agent").WithGroupName("custom"));

        var sessionId = await CreateAsync(app.Client, "/api/v2/agent/session");

        Assert.That(sessionId, Is.Not.Empty);
    }

    [Test]
    public void AddEndpoints_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();
        services.AddDexterSessions().AddEndpoints().AddEndpoints(o => o.SecureCookies = true);

        Assert.That(services.Count(d => d.ServiceType == typeof(DexterSessionsEndpoints)), Is.EqualTo(1));
        using var provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<IOptions<DexterSessionsEndpointOptions>>().Value.SecureCookies, Is.True);
    }

    private static DexterSessionsEndpointOptions Bind(IConfiguration configuration) =>
        SeedEnvironment.Options<DexterSessionsEndpointOptions>(configuration, static services => services.AddDexterSessions().AddEndpoints());

    private const string Secret = "a-secret-of-at-least-thirty-two-bytes";

    [Test]
    public void Bind_OptedInSeedEnvironmentVariables_SetsEveryOption()
    {
        var options = Bind(SeedEnvironment.Build(
            [("BACKEND_API_KEY", "key"), ("JWT_SECRET", Secret), ("SECURE_COOKIES", "true"), ("DEXTER_RATE_LIMIT_PER_MINUTE", "25")]));

        Assert.Multiple(() =>
        {
            Assert.That(options.ApiKey, Is.EqualTo("key"));
            Assert.That(options.JwtSecret, Is.EqualTo(Secret));
            Assert.That(options.SecureCookies, Is.True);
            Assert.That(options.RateLimitPermitsPerMinute, Is.EqualTo(25));
            Assert.That(options.RequiresCredential, Is.True);
        });
    }

    [Test]
    public void Bind_SectionKeys_WinOverEnvironmentVariables()
    {
        var options = Bind(SeedEnvironment.Build(
            [("BACKEND_API_KEY", "env-key"), ("SECURE_COOKIES", "true"), ("DEXTER_RATE_LIMIT_PER_MINUTE", "25")],
            ("Dexter:Sessions:Endpoints:ApiKey", "section-key"),
            ("Dexter:Sessions:Endpoints:SecureCookies", "false"),
            ("Dexter:Sessions:Endpoints:MaxRequestBodySize", "4096"),
            ("Dexter:Sessions:Endpoints:JwtIssuer", " issuer "),
            ("Dexter:Sessions:Endpoints:JwtAudience", "audience"),
            ("Dexter:Sessions:Endpoints:MaxAnswerLength", "500"),
            ("Dexter:Sessions:RateLimit:PermitsPerMinute", "0"),
            ("Dexter:Sessions:RateLimit:ClientPermitsPerMinute", "30")));

        Assert.Multiple(() =>
        {
            Assert.That(options.ApiKey, Is.EqualTo("section-key"));
            Assert.That(options.SecureCookies, Is.False);
            Assert.That(options.MaxRequestBodySize, Is.EqualTo(4096));
            Assert.That(options.JwtIssuer, Is.EqualTo("issuer"));
            Assert.That(options.JwtAudience, Is.EqualTo("audience"));
            Assert.That(options.MaxAnswerLength, Is.EqualTo(500));
            Assert.That(options.RateLimitPermitsPerMinute, Is.EqualTo(0));
            Assert.That(options.ClientRateLimitPermitsPerMinute, Is.EqualTo(30));
        });
    }

    [Test]
    public void Bind_NothingSet_KeepsDefaults()
    {
        var options = Bind(new ConfigurationBuilder().Build());

        Assert.Multiple(() =>
        {
            Assert.That(options.RequiresCredential, Is.False);
            Assert.That(options.SecureCookies, Is.False);
            Assert.That(options.RateLimitPermitsPerMinute, Is.EqualTo(10));
            Assert.That(options.ClientRateLimitPermitsPerMinute, Is.EqualTo(60));
            Assert.That(options.MaxRequestBodySize, Is.EqualTo(64 * 1024));
        });
    }

    [Test]
    public void Bind_BlankApiKey_CountsAsUnset()
    {
        var options = Bind(SeedEnvironment.Build([("BACKEND_API_KEY", "")], ("Dexter:Sessions:Endpoints:JwtSecret", "  ")));

        Assert.That(options.RequiresCredential, Is.False);
    }

    [TestCase("SECURE_COOKIES", "maybe")]
    [TestCase("DEXTER_RATE_LIMIT_PER_MINUTE", "1.5")]
    public void Bind_MalformedOptedInValue_ThrowsNamingTheSetting(string name, string value)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Bind(SeedEnvironment.Build([(name, value)])));

        Assert.That(ex!.Message, Does.Contain(name).And.Contain(value));
    }

    [TestCase("Dexter:Sessions:Endpoints:MaxRequestBodySize", "64KB", "which is not a whole number")]
    [TestCase("Dexter:Sessions:RateLimit:ClientPermitsPerMinute", "lots", "which is not a whole number")]
    public void Bind_MalformedSectionValue_ThrowsNamingTheKey(string key, string value, string expected)
    {
        Assert.That(() => Bind(SeedEnvironment.Build([], (key, value))), Throws.InvalidOperationException.With.Message.EqualTo(
            $"The setting {key} has the value '{value}', {expected}. Correct or remove it."));
    }

    [Test]
    public void Validate_NegativeRateLimitAndTinyBodyLimit_FailsNamingBoth()
    {
        var result = new DexterSessionsEndpointOptionsValidator().Validate(null, new DexterSessionsEndpointOptions
        {
            RateLimitPermitsPerMinute = -1,
            MaxRequestBodySize = 10,
        });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("DEXTER_RATE_LIMIT_PER_MINUTE").And.Contain("MaxRequestBodySize"));
    }

    private static async Task<string> CreateAsync(HttpClient client, string path)
    {
        using var response = await client.PostAsync(path, content: null);
        response.EnsureSuccessStatusCode();
        return (string)(await response.ReadJsonAsync())["session_id"]!;
    }
}
