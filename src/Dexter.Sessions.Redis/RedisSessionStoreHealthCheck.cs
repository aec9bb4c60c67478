using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dexter.Sessions.Redis;

/// <summary>
/// A health check for readiness probes: healthy when the Redis of a <see cref="RedisSessionStore"/> answers PING.
/// Register it with <c>services.AddHealthChecks().AddDexterSessionsRedis()</c>.
/// </summary>
public sealed class RedisSessionStoreHealthCheck : IHealthCheck
{
    private readonly RedisSessionStore _store;

    /// <summary>Initializes a health check of <paramref name="store"/>.</summary>
    /// <param name="store">The store whose server is checked.</param>
    public RedisSessionStoreHealthCheck(RedisSessionStore store)
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
                CultureInfo.InvariantCulture, $"Redis at {_store.Endpoint} answered PING in {latency.TotalMilliseconds:0.###} ms."));
        }
        catch (SessionStoreException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, e.Message, e);
        }
    }
}
