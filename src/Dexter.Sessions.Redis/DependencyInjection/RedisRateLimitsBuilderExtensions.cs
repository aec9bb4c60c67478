using System.Threading.RateLimiting;
using Dexter.Sessions;
using Dexter.Sessions.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps the endpoints' rate limits in Redis, so that every instance of an application shares them.</summary>
public static class RedisRateLimitsBuilderExtensions
{
    /// <summary>The service key of the factory this package registered before <see cref="ISessionRateLimiterFactory"/> existed.</summary>
    [Obsolete("Resolve Dexter.Sessions.ISessionRateLimiterFactory instead; no service is registered under this key any more.")]
    public const string RateLimiterFactoryServiceKey = "Dexter.Sessions.RateLimiterFactory";

    /// <summary>
    /// Keeps the per-client and per-session limits of <c>MapDexterSessions()</c> in the Redis server of the session store
    /// (<c>UseRedis()</c> or <c>UseRedisWhenConfigured()</c>), with the fixed-window limiter of the RedisRateLimiting package,
    /// so that two instances behind one Redis allow the configured rate once, not once each.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddDexterSessions()</c>.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// Registers an <see cref="ISessionRateLimiterFactory"/>. The limits share the store's connection and its
    /// <see cref="RedisSessionStoreOptions.KeyPrefix"/> (keys <c>rl:fw:{{prefix}ratelimit:…}</c>); when Redis cannot be
    /// reached, a limit fails as the store does, with <see cref="SessionStoreUnavailableException"/> within the store's
    /// operation timeout (the endpoints answer 503). When the store in use is not Redis (<c>UseRedisWhenConfigured()</c>
    /// with no server configured), the limits stay in the process.
    /// </remarks>
    public static IDexterSessionsBuilder UseRedisRateLimits(this IDexterSessionsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ISessionRateLimiterFactory>(static provider =>
        {
            // Redis exactly when UseRedis() or UseRedisWhenConfigured() keeps the sessions there (whatever wraps the store).
            var redisOptions = provider.GetRequiredService<IOptions<RedisSessionStoreOptions>>().Value;
            var store = redisOptions.HasServer || RedisDexterSessionsBuilderExtensions.HasRegisteredConnection(provider)
                ? provider.GetService<RedisSessionStore>()
                : null;
            return store is null
                ? new InProcessRateLimiterFactory()
                : new RedisRateLimiterFactory(store, redisOptions.KeyPrefix + "ratelimit:");
        }));
        return builder;
    }

    private sealed class InProcessRateLimiterFactory : ISessionRateLimiterFactory
    {
        public RateLimiter Create(string partition, FixedWindowRateLimiterOptions options) => new FixedWindowRateLimiter(options);
    }
}
