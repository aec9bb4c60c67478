using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions.Sqlite;

/// <summary>
/// A health check for readiness probes: healthy when the database file of a <see cref="SqliteSessionStore"/> opens and its
/// schema is usable. Register it with <c>services.AddHealthChecks().AddDexterSessionsSqlite()</c>.
/// </summary>
public sealed class SqliteSessionStoreHealthCheck : IHealthCheck
{
    private readonly SqliteSessionStore _store;

    /// <summary>Initializes a health check of <paramref name="store"/>.</summary>
    /// <param name="store">The store whose database is checked.</param>
    public SqliteSessionStoreHealthCheck(SqliteSessionStore store)
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
                CultureInfo.InvariantCulture, $"The SQLite session database {_store.Path} answered in {latency.TotalMilliseconds:0.###} ms."));
        }
        catch (SessionStoreException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, e.Message, e);
        }
    }
}
