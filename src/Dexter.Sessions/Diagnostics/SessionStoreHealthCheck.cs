using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions;

/// <summary>
/// A health check for readiness probes: healthy when a session store answers. A store that can be pinged
/// (<see cref="IPingableSessionStore"/>, itself or behind decorators) is pinged; any other store is asked whether a session exists.
/// </summary>
/// <remarks>
/// The store packages register it for their store: <c>services.AddHealthChecks().AddDexterSessionsRedis()</c>,
/// <c>AddDexterSessionsPostgreSql()</c>, <c>AddDexterSessionsSqlite()</c> (see <see cref="CreateRegistration{TStore}"/>).
/// A store that fails reports the registration's failure status with the store's message, which names the backend and what to
/// check.
/// </remarks>
public sealed class SessionStoreHealthCheck : IHealthCheck
{
    private const string ProbeSessionId = "dexter-health-probe";

    private readonly ISessionStore _store;

    /// <summary>Initializes a health check of <paramref name="store"/>.</summary>
    /// <param name="store">The store to check.</param>
    public SessionStoreHealthCheck(ISessionStore store)
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
            if (_store.GetService<IPingableSessionStore>() is { } pingable)
            {
                var latency = await pingable.PingAsync(cancellationToken).ConfigureAwait(false);
                return HealthCheckResult.Healthy(string.Create(
                    CultureInfo.InvariantCulture, $"{pingable.Description} answered in {latency.TotalMilliseconds:0.###} ms."));
            }

            await _store.ExistsAsync(ProbeSessionId, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The session store ({_store.GetType().Name}) answers.");
        }
        catch (SessionStoreException e)
        {
            return new HealthCheckResult(context.Registration?.FailureStatus ?? HealthStatus.Unhealthy, e.Message, e);
        }
    }

    /// <summary>
    /// Creates the registration of a health check of the registered <see cref="ISessionStore"/> when it is, or decorates, a
    /// <typeparamref name="TStore"/>; otherwise the check reports healthy with <paramref name="notThisStore"/>.
    /// </summary>
    /// <typeparam name="TStore">The kind of store to check, such as <c>RedisSessionStore</c>.</typeparam>
    /// <param name="name">The name of the check.</param>
    /// <param name="notThisStore">The description of the healthy result when the store in use is not a <typeparamref name="TStore"/>.</param>
    /// <param name="failureStatus">The status reported when the store fails; <see cref="HealthStatus.Unhealthy"/> when <see langword="null"/>.</param>
    /// <param name="tags">Tags to filter checks by, such as <c>ready</c>.</param>
    /// <param name="timeout">How long the check may take; no limit besides the store's own timeout when <see langword="null"/>.</param>
    /// <returns>The registration, for <c>IHealthChecksBuilder.Add</c>.</returns>
    public static HealthCheckRegistration CreateRegistration<TStore>(
        string name,
        string notThisStore,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
        where TStore : class, ISessionStore
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(notThisStore);
        var nothingToCheck = new NothingToCheck(notThisStore);
        return new HealthCheckRegistration(
            name,
            provider => provider.GetRequiredService<ISessionStore>().GetService<TStore>() is { } store ? new SessionStoreHealthCheck(store) : nothingToCheck,
            failureStatus,
            tags,
            timeout);
    }

    private sealed class NothingToCheck(string description) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Healthy(description));
    }
}
