using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions.Redis;

/// <summary>
/// Binds <see cref="RedisSessionStoreOptions"/> from configuration section <see cref="RedisSessionStoreOptions.SectionName"/>
/// and the <c>REDIS_URL</c> environment variable, by hand, so that a malformed value fails with a message naming the
/// setting (and no reflection is needed). A key of the section wins over <c>REDIS_URL</c>.
/// </summary>
internal static class RedisSessionStoreOptionsBinder
{
    public const string ConfigurationKey = RedisSessionStoreOptions.SectionName + ":Configuration";

    public static void Bind(RedisSessionStoreOptions options, IConfiguration? configuration) =>
        Bind(options, Lookup(configuration));

    public static void Bind(RedisSessionStoreOptions options, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);

        if (ReadServer(lookup) is { } server)
        {
            // Parsed now so that a malformed REDIS_URL fails at startup with a message naming it.
            RedisConfigurationParser.Parse(server.Value, server.Name);
            options.Configuration = server.Value;
        }

        if (Read(lookup, "KeyPrefix") is { } prefix)
        {
            options.KeyPrefix = prefix.Value;
        }

        if (Read(lookup, "SessionTtl") is { } ttl)
        {
            options.SessionTtl = ParseTimeSpan(ttl);
        }

        if (Read(lookup, "ConnectTimeout") is { } connectTimeout)
        {
            options.ConnectTimeout = ParseTimeSpan(connectTimeout);
        }

        if (Read(lookup, "OperationTimeout") is { } operationTimeout)
        {
            options.OperationTimeout = ParseTimeSpan(operationTimeout);
        }
    }

    /// <summary>Tells whether <c>REDIS_URL</c> or <c>Dexter:Sessions:Redis:Configuration</c> is set.</summary>
    public static bool IsServerConfigured(IConfiguration? configuration) => ReadServer(Lookup(configuration)) is not null;

    private static Func<string, string?> Lookup(IConfiguration? configuration) =>
        configuration is null ? Environment.GetEnvironmentVariable : key => configuration[key];

    private static Setting? ReadServer(Func<string, string?> lookup)
    {
        if (Read(lookup, "Configuration") is { } configuration)
        {
            return configuration;
        }

        var url = lookup(RedisSessionStoreOptions.RedisUrlEnvironmentVariable);
        return string.IsNullOrWhiteSpace(url) ? null : new Setting(RedisSessionStoreOptions.RedisUrlEnvironmentVariable, url.Trim());
    }

    private static Setting? Read(Func<string, string?> lookup, string key)
    {
        var name = RedisSessionStoreOptions.SectionName + ":" + key;
        var value = lookup(name);
        return string.IsNullOrWhiteSpace(value) ? null : new Setting(name, value.Trim());
    }

    private static TimeSpan ParseTimeSpan(Setting setting) =>
        TimeSpan.TryParse(setting.Value, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException(
                $"The setting {setting.Name} has the value '{setting.Value}', which is not a time span such as 00:00:05 or 1.00:00:00. Correct or remove it.");

    private sealed record Setting(string Name, string Value);
}
