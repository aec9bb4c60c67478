using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions.AspNetCore;

/// <summary>Readiness: the session store answers a read. Unhealthy, with the store's message, when it cannot be reached.</summary>
internal sealed class SessionStoreHealthCheck(ISessionStore store) : IHealthCheck
{
    public const string Name = "dexter-sessions-store";
    private const string ProbeSessionId = "dexter-health-probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.ExistsAsync(ProbeSessionId, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The session store ({store.GetType().Name}) answers.");
        }
        catch (SessionStoreException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }
    }
}
