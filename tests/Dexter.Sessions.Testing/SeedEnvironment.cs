using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Testing;

/// <summary>
/// The source of <c>AddDexterSessionsEnvironmentVariables()</c> over a fake environment, so tests can pass the bare
/// variable names (REDIS_URL, DEXTER_*, …) through the opt-in without touching the process environment.
/// </summary>
public static class SeedEnvironment
{
    /// <summary>Adds the opt-in source first, as <c>AddDexterSessionsEnvironmentVariables()</c> does, reading <paramref name="variables"/>.</summary>
    public static IConfigurationBuilder AddDexterSessionsEnvironmentVariables(
        this IConfigurationBuilder builder, IReadOnlyDictionary<string, string?> variables)
    {
        builder.Sources.Insert(0, new DexterSessionsEnvironmentVariablesSource(name => variables.GetValueOrDefault(name)));
        return builder;
    }

    /// <summary>The options that the services <paramref name="register"/> adds bind from <paramref name="configuration"/>.</summary>
    public static TOptions Options<TOptions>(IConfiguration configuration, Action<IServiceCollection> register)
        where TOptions : class
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        register(services);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<TOptions>>().Value;
    }

    /// <summary>A configuration with only the opt-in source over <paramref name="variables"/>, then <paramref name="settings"/>.</summary>
    public static IConfiguration Build(IEnumerable<(string Name, string Value)> variables, params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .AddDexterSessionsEnvironmentVariables(variables.ToDictionary(v => v.Name, v => (string?)v.Value, StringComparer.Ordinal))
            .Build();
}

/// <summary>Sets process environment variables for the length of a test and restores them afterwards (mark the test [NonParallelizable]).</summary>
public sealed class EnvironmentVariableScope : IDisposable
{
    private readonly (string Name, string? Value)[] _previous;

    /// <summary>Sets <paramref name="variables"/>, remembering their values.</summary>
    public EnvironmentVariableScope(params (string Name, string? Value)[] variables)
    {
        _previous = variables.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToArray();
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    /// <summary>Restores the remembered values.</summary>
    public void Dispose()
    {
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
