using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions.Redis;

/// <summary>A health check of a <see cref="RedisSessionStore"/>: now <see cref="SessionStoreHealthCheck"/>, which checks every store.</summary>
[Obsolete("Use SessionStoreHealthCheck.")]
public sealed class RedisSessionStoreHealthCheck : IHealthCheck
{
    private readonly SessionStoreHealthCheck _check;

    /// <summary>Initializes a health check of <paramref name="store"/>.</summary>
    /// <param name="store">The store whose server is checked.</param>
    public RedisSessionStoreHealthCheck(RedisSessionStore store)
    {
        _check = new SessionStoreHealthCheck(store);
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _check.CheckHealthAsync(context, cancellationToken);
}
