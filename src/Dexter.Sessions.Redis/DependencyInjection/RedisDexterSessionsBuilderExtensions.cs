using Dexter.Sessions;
using Dexter.Sessions.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps Dexter.Sessions sessions in Redis: <c>services.AddDexterSessions().UseRedis()</c>.</summary>
public static class RedisDexterSessionsBuilderExtensions
{
    /// <summary>
    /// Uses <see cref="RedisSessionStore"/> as the session store (a singleton, also registered as itself).
    /// </summary>
    /// <param name="builder">The builder from <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the options after they are bound; runs last.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// <para>
    /// Options are bound from configuration section <c>Dexter:Sessions:Redis</c> (<c>Configuration</c>, <c>KeyPrefix</c>,
    /// <c>SessionTtl</c>, <c>ConnectTimeout</c>, <c>OperationTimeout</c>) of the <see cref="IConfiguration"/> registered in the
    /// services (<c>REDIS_URL</c> counts where the application calls <c>AddDexterSessionsEnvironmentVariables()</c>); the expiry defaults to
    /// <see cref="DexterSessionsOptions.SessionTtl"/>. They are validated when the host starts: a malformed <c>REDIS_URL</c>,
    /// or no server at all, fails with a message naming the setting.
    /// </para>
    /// <para>
    /// An <see cref="IConnectionMultiplexer"/> registered in the services is used when present (unless
    /// <see cref="RedisSessionStoreOptions.ConnectionMultiplexerFactory"/> is set); the store never closes it.
    /// </para>
    /// </remarks>
    public static IDexterSessionsBuilder UseRedis(this IDexterSessionsBuilder builder, Action<RedisSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddRedisSessionStore(builder.Services, configure)
            .Validate<IServiceProvider>(
                static (options, provider) => options.HasServer || HasRegisteredConnection(provider),
                "UseRedis() needs a Redis server: set Dexter:Sessions:Redis:Configuration (for example redis://localhost:6379/0; REDIS_URL where the " +
                "application calls configuration.AddDexterSessionsEnvironmentVariables()), " +
                "register an IConnectionMultiplexer, or set RedisSessionStoreOptions.Configuration in UseRedis(options => …).");
        builder.UseSessionStore(static provider => provider.GetRequiredService<RedisSessionStore>());
        return builder;
    }

    /// <summary>
    /// Uses <see cref="RedisSessionStore"/> when a Redis server is configured, and the <see cref="InMemorySessionStore"/>
    /// otherwise (<c>REDIS_URL</c> unset).
    /// </summary>
    /// <param name="builder">The builder from <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the Redis options after they are bound; runs last.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// The store is chosen when it is first resolved: Redis when <c>Dexter:Sessions:Redis:Configuration</c> (or, opted in,
    /// <c>REDIS_URL</c>) is set, when <paramref name="configure"/> names a server, or when an <see cref="IConnectionMultiplexer"/> is registered;
    /// in memory otherwise. Options are bound and validated as with <see cref="UseRedis"/>.
    /// </remarks>
    public static IDexterSessionsBuilder UseRedisWhenConfigured(this IDexterSessionsBuilder builder, Action<RedisSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddRedisSessionStore(builder.Services, configure);
        builder.UseSessionStore(static provider =>
            provider.GetRequiredService<IOptions<RedisSessionStoreOptions>>().Value.HasServer || HasRegisteredConnection(provider)
                ? provider.GetRequiredService<RedisSessionStore>()
                : new InMemorySessionStore(
                    provider.GetRequiredService<IOptions<DexterSessionsOptions>>(),
                    provider.GetService<TimeProvider>(),
                    provider.GetService<ILogger<InMemorySessionStore>>()));
        return builder;
    }

    private static OptionsBuilder<RedisSessionStoreOptions> AddRedisSessionStore(IServiceCollection services, Action<RedisSessionStoreOptions>? configure)
    {
        var optionsBuilder = services.AddOptions<RedisSessionStoreOptions>();
        if (!services.Any(static d => d.ServiceType == typeof(RedisSessionStore)))
        {
            optionsBuilder
                .Configure<IServiceProvider>(static (options, provider) =>
                {
                    if (provider.GetService<IOptions<DexterSessionsOptions>>() is { } sessions)
                    {
                        options.SessionTtl = sessions.Value.SessionTtl;
                    }

                    if (DexterSessionsSettings.GetSection<RedisSessionStoreOptions>(provider, RedisSessionStoreOptions.SectionName) is { } section)
                    {
                        section.Bind(options);
                    }

                    if (!string.IsNullOrWhiteSpace(options.Configuration))
                    {
                        // Parsed now so that a malformed server (REDIS_URL) fails at startup with a message naming it.
                        RedisConfigurationParser.Parse(options.Configuration, RedisConfigurationParser.SettingName);
                    }
                })
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisSessionStoreOptions>, RedisSessionStoreOptionsValidator>());
            services.TryAddSingleton(static provider =>
            {
                var options = provider.GetRequiredService<IOptions<RedisSessionStoreOptions>>();
                var timeProvider = provider.GetService<TimeProvider>();
                var logger = provider.GetService<ILogger<RedisSessionStore>>();
                return options.Value.ConnectionMultiplexerFactory is null && provider.GetService<IConnectionMultiplexer>() is { } connection
                    ? new RedisSessionStore(connection, options, timeProvider, logger)
                    : new RedisSessionStore(options, timeProvider, logger);
            });
        }

        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        return optionsBuilder;
    }

    internal static bool HasRegisteredConnection(IServiceProvider provider) =>
        provider.GetService<IServiceProviderIsService>()?.IsService(typeof(IConnectionMultiplexer)) ?? false;
}
