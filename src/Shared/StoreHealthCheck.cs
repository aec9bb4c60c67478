using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions;

/// <summary>
/// The one way every store package registers its health check: the check of the registered session store when it is (or wraps)
/// the given store type, else a check that reports healthy with a note that there is nothing of that kind to check.
/// </summary>
internal static class StoreHealthCheck
{
    public static HealthCheckRegistration Registration<TStore>(
        string name,
        Func<TStore, IHealthCheck> check,
        string notThisStore,
        HealthStatus? failureStatus,
        IEnumerable<string>? tags,
        TimeSpan? timeout)
        where TStore : class
    {
        var healthy = new AlwaysHealthy(notThisStore);
        return new HealthCheckRegistration(
            name,
            provider => provider.GetRequiredService<ISessionStore>().GetService<TStore>() is { } store ? check(store) : healthy,
            failureStatus,
            tags,
            timeout);
    }

    private sealed class AlwaysHealthy(string description) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Healthy(description));
    }
}
