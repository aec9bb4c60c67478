using System.Threading.RateLimiting;
using Dexter.Sessions;
using Dexter.Sessions.Redis;
using Microsoft.Extensions.Options;
using RedisRateLimiting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps the endpoints' rate limits in Redis, so that every instance of an application shares them.</summary>
public static class RedisRateLimitsBuilderExtensions
{
    /// <summary>
    /// The service key under which Dexter.Sessions.AspNetCore looks up the factory of its rate limiters: a keyed singleton
    /// <see cref="Func{T1, T2, TResult}"/> of <see cref="string"/> (the partition: <c>client:…</c> or <c>session:…</c>),
    /// <see cref="FixedWindowRateLimiterOptions"/> and <see cref="RateLimiter"/>.
    /// </summary>
    public const string RateLimiterFactoryServiceKey = "Dexter.Sessions.RateLimiterFactory";

    /// <summary>
    /// Keeps the per-client and per-session limits of <c>MapDexterSessions()</c> in the Redis server of the session store
    /// (<c>UseRedis()</c> or <c>UseRedisWhenConfigured()</c>), with the fixed-window limiter of the RedisRateLimiting package,
    /// so that two instances behind one Redis allow the configured rate once, not once each.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddDexterSessions()</c>.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// The limits share the store's connection and its <see cref="RedisSessionStoreOptions.KeyPrefix"/> (keys
    /// <c>rl:fw:{{prefix}ratelimit:…}</c>). When the store in use is not Redis (<c>UseRedisWhenConfigured()</c> with no server
    /// configured), the limits stay in the process.
    /// </remarks>
    public static IDexterSessionsBuilder UseRedisRateLimits(this IDexterSessionsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddKeyedSingleton<Func<string, FixedWindowRateLimiterOptions, RateLimiter>>(
            RateLimiterFactoryServiceKey,
            static (provider, _) =>
            {
                // Redis exactly when UseRedis() or UseRedisWhenConfigured() keeps the sessions there (whatever wraps the store).
                var redisOptions = provider.GetRequiredService<IOptions<RedisSessionStoreOptions>>().Value;
                var store = redisOptions.HasServer || RedisDexterSessionsBuilderExtensions.HasRegisteredConnection(provider)
                    ? provider.GetService<RedisSessionStore>()
                    : null;
                if (store is null)
                {
                    return static (_, options) => new FixedWindowRateLimiter(options);
                }

                var prefix = redisOptions.KeyPrefix + "ratelimit:";
                return (partition, options) => new RedisFixedWindowRateLimiter<string>(prefix + partition, new RedisFixedWindowRateLimiterOptions
                {
                    // The limiter asks for the connection synchronously; the store opens it once and keeps it.
                    ConnectionMultiplexerFactory = () => store.GetConnectionAsync().AsTask().GetAwaiter().GetResult(),
                    PermitLimit = options.PermitLimit,
                    Window = options.Window,
                });
            });
        return builder;
    }
}
