using Dexter.Sessions.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Configuration;

/// <summary>Options are checked when the host starts, not at the first request.</summary>
public sealed class HostStartupTests
{
    /// <summary>A host whose configuration opted in to the bare variable names; keys with a colon are settings, others variables.</summary>
    private static IHost BuildHost(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Where(s => s.Key.Contains(':', StringComparison.Ordinal))
            .Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Configuration.AddDexterSessionsEnvironmentVariables(settings.Where(s => !s.Key.Contains(':', StringComparison.Ordinal))
            .ToDictionary(s => s.Key, s => (string?)s.Value));
        builder.Services.AddDexterSessions();
        return builder.Build();
    }

    [Test]
    public async Task StartAsync_ValidOptions_Starts_AndOptionsComeFromConfiguration()
    {
        using var host = BuildHost(("Dexter:Sessions:MaxContextMessages", "4"), ("DEXTER_SUMMARIZE_LLM", "false"));

        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<DexterSessionsOptions>>().Value;
        await host.StopAsync();

        Assert.That(options.MaxContextMessages, Is.EqualTo(4));
    }

    [Test]
    public void StartAsync_InvalidValue_FailsNamingTheSetting()
    {
        using var host = BuildHost(("Dexter:Sessions:MaxContextMessages", "0"));

        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(ex!.Message, Does.Contain("Dexter:Sessions:MaxContextMessages").And.Contain("it is 0"));
    }

    [Test]
    public void StartAsync_NegativeTtlFromTheOptedInEnvironmentName_FailsNamingTheSetting()
    {
        using var host = BuildHost(("DEXTER_SESSION_TTL_SECONDS", "-1"));

        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.That(ex!.Message, Does.Contain("DEXTER_SESSION_TTL_SECONDS").And.Contain("-00:00:01"));
    }

    [Test]
    public void StartAsync_MalformedOptedInValue_FailsNamingTheSetting()
    {
        using var host = BuildHost(("DEXTER_USE_EMBEDDINGS", "perhaps"));

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.That(ex!.Message, Does.Contain("DEXTER_USE_EMBEDDINGS").And.Contain("'perhaps'"));
    }
}
