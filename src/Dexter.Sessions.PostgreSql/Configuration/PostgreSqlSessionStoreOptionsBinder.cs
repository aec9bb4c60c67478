using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions.PostgreSql;

/// <summary>
/// Binds <see cref="PostgreSqlSessionStoreOptions"/> from the <c>Dexter:Sessions:PostgreSql</c> section by hand (no reflection);
/// <c>DEXTER_POSTGRES_URL</c> arrives there as <c>ConnectionString</c> where the application calls <c>AddDexterSessionsEnvironmentVariables()</c>.
/// </summary>
internal static class PostgreSqlSessionStoreOptionsBinder
{
    public const string ConnectionStringKey = PostgreSqlSessionStoreOptions.SectionName + ":ConnectionString";

    public static void Bind(PostgreSqlSessionStoreOptions options, IConfiguration? configuration) =>
        Bind(options, SettingReader.Lookup(configuration));

    public static void Bind(PostgreSqlSessionStoreOptions options, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);

        if (SettingReader.Read(lookup, ConnectionStringKey) is { } database)
        {
            // Parsed now so that a malformed DEXTER_POSTGRES_URL fails at startup with a message naming it (password hidden).
            try
            {
                PostgreSqlConnectionStringParser.Parse(database.Value);
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException(e.Message, e);
            }

            options.ConnectionString = database.Value;
        }

        if (SettingReader.Read(lookup, Key("Schema")) is { } schema)
        {
            options.Schema = schema.Value;
        }

        if (SettingReader.Read(lookup, Key("TablePrefix")) is { } prefix)
        {
            options.TablePrefix = prefix.Value;
        }

        if (SettingReader.Read(lookup, Key("CreateSchema")) is { } create)
        {
            options.CreateSchema = SettingReader.ParseBool(create);
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

        if (SettingReader.Read(lookup, Key("CleanupInterval")) is { } interval)
        {
            options.CleanupInterval = SettingReader.ParseTimeSpan(interval);
        }

        if (SettingReader.Read(lookup, Key("CleanupBatchSize")) is { } batch)
        {
            options.CleanupBatchSize = SettingReader.ParseInt(batch);
        }
    }

    /// <summary>Tells whether <c>Dexter:Sessions:PostgreSql:ConnectionString</c> (or, opted in, <c>DEXTER_POSTGRES_URL</c>) is set.</summary>
    public static bool IsDatabaseConfigured(IConfiguration? configuration) =>
        SettingReader.Read(SettingReader.Lookup(configuration), ConnectionStringKey) is not null;

    private static string Key(string name) => PostgreSqlSessionStoreOptions.SectionName + ":" + name;
}
