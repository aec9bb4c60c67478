using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions.Sqlite;

/// <summary>A health check of a <see cref="SqliteSessionStore"/>: now <see cref="SessionStoreHealthCheck"/>, which checks every store.</summary>
[Obsolete("Use SessionStoreHealthCheck.")]
public sealed class SqliteSessionStoreHealthCheck : IHealthCheck
{
    private readonly SessionStoreHealthCheck _check;

    /// <summary>Initializes a health check of <paramref name="store"/>.</summary>
    /// <param name="store">The store whose database is checked.</param>
    public SqliteSessionStoreHealthCheck(SqliteSessionStore store)
    {
        _check = new SessionStoreHealthCheck(store);
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        _check.CheckHealthAsync(context, cancellationToken);
}
