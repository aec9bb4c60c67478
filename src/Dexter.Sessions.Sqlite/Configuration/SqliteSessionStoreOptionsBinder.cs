using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions.Sqlite;

/// <summary>
/// Binds <see cref="SqliteSessionStoreOptions"/> from configuration section <see cref="SqliteSessionStoreOptions.SectionName"/>
/// by hand, so that a malformed value fails with a message naming the setting (and no reflection is needed).
/// <c>DEXTER_SQLITE_PATH</c> reaches the section only where the application calls <c>AddDexterSessionsEnvironmentVariables()</c>.
/// </summary>
internal static class SqliteSessionStoreOptionsBinder
{
    public const string PathKey = SqliteSessionStoreOptions.SectionName + ":Path";

    public static void Bind(SqliteSessionStoreOptions options, IConfiguration? configuration) =>
        Bind(options, SettingReader.Lookup(configuration));

    public static void Bind(SqliteSessionStoreOptions options, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);

        if (SettingReader.Read(lookup, PathKey) is { } path)
        {
            options.Path = path.Value;
        }

        if (SettingReader.Read(lookup, Key("TablePrefix")) is { } prefix)
        {
            options.TablePrefix = prefix.Value;
        }

        if (SettingReader.Read(lookup, Key("CreateSchema")) is { } createSchema)
        {
            options.CreateSchema = SettingReader.ParseBool(createSchema);
        }

        if (SettingReader.Read(lookup, Key("SessionTtl")) is { } ttl)
        {
            options.SessionTtl = SettingReader.ParseTimeSpan(ttl);
        }

        if (SettingReader.Read(lookup, Key("Timeout")) is { } timeout)
        {
            options.Timeout = SettingReader.ParseTimeSpan(timeout);
        }

        if (SettingReader.Read(lookup, Key("Durability")) is { } durability)
        {
            options.Durability = durability.Value.ToUpperInvariant() switch
            {
                "FULL" => SqliteDurability.Full,
                "NORMAL" => SqliteDurability.Normal,
                _ => throw SettingReader.Invalid(durability, "Full or Normal"),
            };
        }

        if (SettingReader.Read(lookup, Key("CleanupInterval")) is { } interval)
        {
            options.CleanupInterval = SettingReader.ParseTimeSpan(interval);
        }

        if (SettingReader.Read(lookup, Key("CleanupBatchSize")) is { } batchSize)
        {
            options.CleanupBatchSize = SettingReader.ParseInt(batchSize);
        }
    }

    /// <summary>Tells whether <c>Dexter:Sessions:Sqlite:Path</c> (or, opted in, <c>DEXTER_SQLITE_PATH</c>) is set.</summary>
    public static bool IsPathConfigured(IConfiguration? configuration) => SettingReader.Read(SettingReader.Lookup(configuration), PathKey) is not null;

    private static string Key(string name) => SqliteSessionStoreOptions.SectionName + ":" + name;
}
