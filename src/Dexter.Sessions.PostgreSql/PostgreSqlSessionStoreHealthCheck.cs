using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions.PostgreSql;

/// <summary>A health check of a <see cref="PostgreSqlSessionStore"/>: now <see cref="SessionStoreHealthCheck"/>, which checks every store.</summary>
[Obsolete("Use SessionStoreHealthCheck.")]
public sealed class PostgreSqlSessionStoreHealthCheck : IHealthCheck
{
    private readonly SessionStoreHealthCheck _check;

    /// <summary>Initializes a health check of <paramref name="store"/>.</summary>
    /// <param name="store">The store whose database is checked.</param>
    public PostgreSqlSessionStoreHealthCheck(PostgreSqlSessionStore store)
    {
        _check = new SessionStoreHealthCheck(store);
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _check.CheckHealthAsync(context, cancellationToken);
}
