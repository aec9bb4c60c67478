using Dexter.Sessions;
using Dexter.Sessions.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps Dexter.Sessions sessions in a SQLite file: <c>services.AddDexterSessions().UseSqlite(o => o.Path = "sessions.db")</c>.</summary>
public static class SqliteDexterSessionsBuilderExtensions
{
    /// <summary>
    /// Uses <see cref="SqliteSessionStore"/> as the session store (a singleton, also registered as itself), and a hosted
    /// service that deletes expired sessions in batches.
    /// </summary>
    /// <param name="builder">The builder from <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the options after they are bound; runs last.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// Options are bound from configuration section <c>Dexter:Sessions:Sqlite</c> (<c>Path</c>, <c>TablePrefix</c>,
    /// <c>CreateSchema</c>, <c>SessionTtl</c>, <c>Timeout</c>, <c>Durability</c>, <c>CleanupInterval</c>, <c>CleanupBatchSize</c>)
    /// of the <see cref="IConfiguration"/> registered in the services (<c>DEXTER_SQLITE_PATH</c> counts where the application calls
    /// <c>AddDexterSessionsEnvironmentVariables()</c>); the expiry defaults to <see cref="DexterSessionsOptions.SessionTtl"/>. They
    /// are validated when the host starts: no file, or a malformed setting, fails with a message naming the setting.
    /// </remarks>
    public static IDexterSessionsBuilder UseSqlite(this IDexterSessionsBuilder builder, Action<SqliteSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddSqliteSessionStore(builder.Services, configure)
            .Validate(
                static options => !string.IsNullOrWhiteSpace(options.Path),
                "UseSqlite() needs a database file: set Dexter:Sessions:Sqlite:Path (for example sessions.db; DEXTER_SQLITE_PATH where the application calls " +
                "configuration.AddDexterSessionsEnvironmentVariables()), or set SqliteSessionStoreOptions.Path in UseSqlite(options => …).");
        builder.UseSessionStore(static provider => provider.GetRequiredService<SqliteSessionStore>());
        return builder;
    }

    /// <summary>
    /// Uses <see cref="SqliteSessionStore"/> when a database file is configured, and the <see cref="InMemorySessionStore"/> otherwise.
    /// </summary>
    /// <param name="builder">The builder from <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the SQLite options after they are bound; runs last.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// The store is chosen when it is first resolved: SQLite when <c>Dexter:Sessions:Sqlite:Path</c> (or, opted in,
    /// <c>DEXTER_SQLITE_PATH</c>) is set or <paramref name="configure"/> sets a path; in memory otherwise. Options are bound and
    /// validated as with <see cref="UseSqlite"/>.
    /// </remarks>
    public static IDexterSessionsBuilder UseSqliteWhenConfigured(this IDexterSessionsBuilder builder, Action<SqliteSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddSqliteSessionStore(builder.Services, configure);
        builder.UseSessionStore(static provider =>
            !string.IsNullOrWhiteSpace(provider.GetRequiredService<IOptions<SqliteSessionStoreOptions>>().Value.Path)
                ? provider.GetRequiredService<SqliteSessionStore>()
                : new InMemorySessionStore(
                    provider.GetRequiredService<IOptions<DexterSessionsOptions>>(),
                    provider.GetService<TimeProvider>(),
                    provider.GetService<ILogger<InMemorySessionStore>>()));
        return builder;
    }

    private static OptionsBuilder<SqliteSessionStoreOptions> AddSqliteSessionStore(IServiceCollection services, Action<SqliteSessionStoreOptions>? configure)
    {
        var optionsBuilder = services.AddOptions<SqliteSessionStoreOptions>();
        if (!services.Any(static d => d.ServiceType == typeof(SqliteSessionStore)))
        {
            optionsBuilder
                .Configure<IServiceProvider>(static (options, provider) =>
                {
                    if (provider.GetService<IOptions<DexterSessionsOptions>>() is { } sessions)
                    {
                        options.SessionTtl = sessions.Value.SessionTtl;
                    }

                    if (DexterSessionsSettings.GetSection<SqliteSessionStoreOptions>(provider, SqliteSessionStoreOptions.SectionName) is { } section)
                    {
                        section.Bind(options);
                    }
                })
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteSessionStoreOptions>, SqliteSessionStoreOptionsValidator>());
            services.TryAddSingleton(static provider => new SqliteSessionStore(
                provider.GetRequiredService<IOptions<SqliteSessionStoreOptions>>(),
                provider.GetService<TimeProvider>(),
                provider.GetService<ILogger<SqliteSessionStore>>()));
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SqliteSessionCleanupService>());
        }

        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        return optionsBuilder;
    }
}
