using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// The endpoints' two limits, each a <see cref="PartitionedRateLimiter{TResource}"/> of one-minute fixed windows without a
/// queue: per client (<see cref="DexterSessionsEndpointOptions.ClientRateLimitPermitsPerMinute"/>, session creations and
/// queries) and per session (<see cref="DexterSessionsEndpointOptions.RateLimitPermitsPerMinute"/>, queries).
/// </summary>
/// <remarks>
/// Each partition's limiter comes from the <see cref="ISessionRateLimiterFactory"/> when one is registered
/// (<c>UseRedisRateLimits()</c> of Dexter.Sessions.Redis keeps them in Redis, shared by every instance), else it is an
/// in-process <see cref="FixedWindowRateLimiter"/>. Idle partitions are dropped by the partitioned limiter. A limiter that
/// cannot reach its store throws <see cref="SessionStoreUnavailableException"/>, which the endpoints answer with 503.
/// </remarks>
internal sealed class EndpointRateLimiter : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly PartitionedRateLimiter<string>? _clients;
    private readonly PartitionedRateLimiter<string>? _sessions;

    public EndpointRateLimiter(
        IOptions<DexterSessionsEndpointOptions> options,
        ISessionRateLimiterFactory? factory = null)
    {
        _clients = Create("client:", options.Value.ClientRateLimitPermitsPerMinute, factory);
        _sessions = Create("session:", options.Value.RateLimitPermitsPerMinute, factory);
    }

    /// <summary>Takes one permit of the client <paramref name="clientKey"/>; the time to wait when none is left.</summary>
    public ValueTask<TimeSpan?> AcquireClientAsync(string clientKey, CancellationToken cancellationToken) =>
        AcquireAsync(_clients, clientKey, cancellationToken);

    /// <summary>Takes one permit of the session <paramref name="sessionId"/>; the time to wait when none is left.</summary>
    public ValueTask<TimeSpan?> AcquireSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        AcquireAsync(_sessions, sessionId, cancellationToken);

    public void Dispose()
    {
        _clients?.Dispose();
        _sessions?.Dispose();
    }

    private static PartitionedRateLimiter<string>? Create(
        string kind, int permits, ISessionRateLimiterFactory? factory) =>
        permits <= 0
            ? null
            : PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, partition => factory is null
                ? new FixedWindowRateLimiter(Options(permits))
                : factory.Create(kind + partition, Options(permits))));

    private static FixedWindowRateLimiterOptions Options(int permits) =>
        new() { PermitLimit = permits, Window = Window, QueueLimit = 0, AutoReplenishment = true };

    private static async ValueTask<TimeSpan?> AcquireAsync(PartitionedRateLimiter<string>? limiter, string key, CancellationToken cancellationToken)
    {
        if (limiter is null)
        {
            return null;
        }

        using var lease = await limiter.AcquireAsync(key, 1, cancellationToken).ConfigureAwait(false);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : Window;
    }
}
