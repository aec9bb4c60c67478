using Dexter.Sessions;
using Dexter.Sessions.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the health check of the Redis session store: <c>services.AddHealthChecks().AddDexterSessionsRedis()</c>.</summary>
public static class RedisSessionStoreHealthChecksBuilderExtensions
{
    /// <summary>The default name of the health check.</summary>
    public const string DefaultName = "dexter-sessions-redis";

    /// <summary>
    /// Adds a <see cref="SessionStoreHealthCheck"/> of the Redis store behind the registered session store. When the store is not Redis (for
    /// example <c>UseRedisWhenConfigured()</c> chose the in-memory store), the check reports healthy.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The name of the check; <see cref="DefaultName"/> when <see langword="null"/>.</param>
    /// <param name="failureStatus">The status reported when Redis does not answer; <see cref="HealthStatus.Unhealthy"/> when <see langword="null"/>.</param>
    /// <param name="tags">Tags to filter checks by, such as <c>ready</c>.</param>
    /// <param name="timeout">How long the check may take; no limit besides the store's own timeout when <see langword="null"/>.</param>
    /// <returns>The builder, to chain further calls.</returns>
    public static IHealthChecksBuilder AddDexterSessionsRedis(
        this IHealthChecksBuilder builder,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(SessionStoreHealthCheck.CreateRegistration<RedisSessionStore>(
            name ?? DefaultName,
            "The session store is not Redis (no Redis server is configured); there is nothing to check.",
            failureStatus,
            tags,
            timeout));
    }
}
