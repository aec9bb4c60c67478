using Dexter.Sessions;
using Dexter.Sessions.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps Dexter.Sessions sessions in PostgreSQL: <c>services.AddDexterSessions().UsePostgreSql()</c>.</summary>
public static class PostgreSqlDexterSessionsBuilderExtensions
{
    /// <summary>
    /// Uses <see cref="PostgreSqlSessionStore"/> as the session store (a singleton, also registered as itself), and a hosted
    /// background service that deletes expired sessions in batches.
    /// </summary>
    /// <param name="builder">The builder from <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the options after they are bound; runs last.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// <para>
    /// Options are bound from configuration section <c>Dexter:Sessions:PostgreSql</c> (<c>ConnectionString</c>, <c>Schema</c>,
    /// <c>TablePrefix</c>, <c>CreateSchema</c>, <c>SessionTtl</c>, <c>ConnectTimeout</c>, <c>OperationTimeout</c>,
    /// <c>CleanupInterval</c>, <c>CleanupBatchSize</c>) of the <see cref="IConfiguration"/> registered in the services
    /// (<c>DEXTER_POSTGRES_URL</c> counts where the application calls <c>AddDexterSessionsEnvironmentVariables()</c>); the expiry
    /// defaults to <see cref="DexterSessionsOptions.SessionTtl"/>. They are validated when the host starts: a malformed
    /// <c>DEXTER_POSTGRES_URL</c>, or no database at all, fails with a message naming the setting (the password hidden).
    /// </para>
    /// <para>
    /// An <see cref="NpgsqlDataSource"/> registered in the services is used when present (unless
    /// <see cref="PostgreSqlSessionStoreOptions.DataSource"/> is set); the store never disposes it.
    /// </para>
    /// </remarks>
    public static IDexterSessionsBuilder UsePostgreSql(this IDexterSessionsBuilder builder, Action<PostgreSqlSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddPostgreSqlSessionStore(builder.Services, configure)
            .Validate<IServiceProvider>(
                static (options, provider) => options.HasDatabase || HasRegisteredDataSource(provider),
                "UsePostgreSql() needs a database: set Dexter:Sessions:PostgreSql:ConnectionString (for example " +
                "postgres://user:password@localhost:5432/app; DEXTER_POSTGRES_URL where the application calls " +
                "configuration.AddDexterSessionsEnvironmentVariables()), register an NpgsqlDataSource, or set " +
                "PostgreSqlSessionStoreOptions.ConnectionString in UsePostgreSql(options => …).");
        builder.UseSessionStore(static provider => provider.GetRequiredService<PostgreSqlSessionStore>());
        return builder;
    }

    /// <summary>
    /// Uses <see cref="PostgreSqlSessionStore"/> when a database is configured, and the <see cref="InMemorySessionStore"/> otherwise.
    /// </summary>
    /// <param name="builder">The builder from <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the PostgreSQL options after they are bound; runs last.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// The store is chosen when it is first resolved: PostgreSQL when <c>Dexter:Sessions:PostgreSql:ConnectionString</c> (or, opted
    /// in, <c>DEXTER_POSTGRES_URL</c>) is set, when <paramref name="configure"/> names a database, or when an
    /// <see cref="NpgsqlDataSource"/> is registered; in memory otherwise. Options are bound and validated as with <see cref="UsePostgreSql"/>.
    /// </remarks>
    public static IDexterSessionsBuilder UsePostgreSqlWhenConfigured(this IDexterSessionsBuilder builder, Action<PostgreSqlSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddPostgreSqlSessionStore(builder.Services, configure);
        builder.UseSessionStore(static provider =>
            provider.GetRequiredService<IOptions<PostgreSqlSessionStoreOptions>>().Value.HasDatabase || HasRegisteredDataSource(provider)
                ? provider.GetRequiredService<PostgreSqlSessionStore>()
                : new InMemorySessionStore(
                    provider.GetRequiredService<IOptions<DexterSessionsOptions>>(),
                    provider.GetService<TimeProvider>(),
                    provider.GetService<ILogger<InMemorySessionStore>>()));
        return builder;
    }

    private static OptionsBuilder<PostgreSqlSessionStoreOptions> AddPostgreSqlSessionStore(IServiceCollection services, Action<PostgreSqlSessionStoreOptions>? configure)
    {
        var optionsBuilder = services.AddOptions<PostgreSqlSessionStoreOptions>();
        if (!services.Any(static d => d.ServiceType == typeof(PostgreSqlSessionStore)))
        {
            optionsBuilder
                .Configure<IServiceProvider>(static (options, provider) =>
                {
                    if (provider.GetService<IOptions<DexterSessionsOptions>>() is { } sessions)
                    {
                        options.SessionTtl = sessions.Value.SessionTtl;
                    }

                    if (DexterSessionsSettings.GetSection<PostgreSqlSessionStoreOptions>(provider, PostgreSqlSessionStoreOptions.SectionName) is { } section)
                    {
                        section.Bind(options);
                    }

                    if (!string.IsNullOrWhiteSpace(options.ConnectionString))
                    {
                        // Parsed now so that a malformed DEXTER_POSTGRES_URL fails at startup with a message naming it (password hidden).
                        try
                        {
                            PostgreSqlConnectionStringParser.Parse(options.ConnectionString);
                        }
                        catch (FormatException e)
                        {
                            throw new InvalidOperationException(e.Message, e);
                        }
                    }
                })
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlSessionStoreOptions>, PostgreSqlSessionStoreOptionsValidator>());
            services.TryAddSingleton(static provider =>
            {
                var options = provider.GetRequiredService<IOptions<PostgreSqlSessionStoreOptions>>();
                var timeProvider = provider.GetService<TimeProvider>();
                var logger = provider.GetService<ILogger<PostgreSqlSessionStore>>();
                return options.Value.DataSource is null && provider.GetService<NpgsqlDataSource>() is { } dataSource
                    ? new PostgreSqlSessionStore(dataSource, options, timeProvider, logger)
                    : new PostgreSqlSessionStore(options, timeProvider, logger);
            });
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlExpiredSessionCleanupService>());
        }

        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        return optionsBuilder;
    }

    private static bool HasRegisteredDataSource(IServiceProvider provider) =>
        provider.GetService<IServiceProviderIsService>()?.IsService(typeof(NpgsqlDataSource)) ?? false;
}
