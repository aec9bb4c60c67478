using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions.Redis;

/// <summary>
/// Binds <see cref="RedisSessionStoreOptions"/> from configuration section <see cref="RedisSessionStoreOptions.SectionName"/>
/// by hand, so that a malformed value fails with a message naming the setting (and no reflection is needed). <c>REDIS_URL</c>
/// reaches the section only where the application calls <c>AddDexterSessionsEnvironmentVariables()</c>.
/// </summary>
internal static class RedisSessionStoreOptionsBinder
{
    public const string ConfigurationKey = RedisSessionStoreOptions.SectionName + ":Configuration";

    public static void Bind(RedisSessionStoreOptions options, IConfiguration? configuration) =>
        Bind(options, SettingReader.Lookup(configuration));

    public static void Bind(RedisSessionStoreOptions options, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);

        if (ReadServer(lookup) is { } server)
        {
            // Parsed now so that a malformed server (REDIS_URL) fails at startup with a message naming it.
            RedisConfigurationParser.Parse(server.Value, server.Name);
            options.Configuration = server.Value;
        }

        if (SettingReader.Read(lookup, Key("KeyPrefix")) is { } prefix)
        {
            options.KeyPrefix = prefix.Value;
        }

        if (SettingReader.Read(lookup, Key("SessionTtl")) is { } ttl)
        {
            options.SessionTtl = SettingReader.ParseTimeSpan(ttl);
        }

        if (SettingReader.Read(lookup, Key("ConnectTimeout")) is { } connectTimeout)
        {
            options.ConnectTimeout = SettingReader.ParseTimeSpan(connectTimeout);
        }

        if (SettingReader.Read(lookup, Key("OperationTimeout")) is { } operationTimeout)
        {
            options.OperationTimeout = SettingReader.ParseTimeSpan(operationTimeout);
        }
    }

    /// <summary>Tells whether <c>REDIS_URL</c> or <c>Dexter:Sessions:Redis:Configuration</c> is set.</summary>
    public static bool IsServerConfigured(IConfiguration? configuration) => ReadServer(SettingReader.Lookup(configuration)) is not null;

    private static Setting? ReadServer(Func<string, string?> lookup) =>
        SettingReader.Read(lookup, ConfigurationKey);

    private static string Key(string name) => RedisSessionStoreOptions.SectionName + ":" + name;
}
