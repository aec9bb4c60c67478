using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions.PostgreSql;

/// <summary>
/// A health check for readiness probes: healthy when the database of a <see cref="PostgreSqlSessionStore"/> answers and its
/// session tables are at the version the package knows. Register it with <c>services.AddHealthChecks().AddDexterSessionsPostgreSql()</c>.
/// </summary>
public sealed class PostgreSqlSessionStoreHealthCheck : IHealthCheck
{
    private readonly PostgreSqlSessionStore _store;

    /// <summary>Initializes a health check of <paramref name="store"/>.</summary>
    /// <param name="store">The store whose database is checked.</param>
    public PostgreSqlSessionStoreHealthCheck(PostgreSqlSessionStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var latency = await _store.PingAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy(string.Create(
                CultureInfo.InvariantCulture, $"PostgreSQL at {_store.Endpoint} answered in {latency.TotalMilliseconds:0.###} ms."));
        }
        catch (SessionStoreException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, e.Message, e);
        }
    }
}
