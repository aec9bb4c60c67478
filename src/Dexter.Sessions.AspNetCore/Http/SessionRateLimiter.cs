using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Limits the queries of each session to <see cref="DexterSessionsEndpointOptions.RateLimitPermitsPerMinute"/> per minute
/// with a <see cref="PartitionedRateLimiter"/> (one fixed one-minute window per session, no queue).
/// </summary>
internal sealed class SessionRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public SessionRateLimiter(IOptions<DexterSessionsEndpointOptions> options)
    {
        var permits = options.Value.RateLimitPermitsPerMinute;
        if (permits > 0)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(sessionId => RateLimitPartition.GetFixedWindowLimiter(
                sessionId,
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
        }
    }

    /// <summary>Takes one permit for <paramref name="sessionId"/>.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="retryAfter">When no permit is left, how long until the next one.</param>
    /// <returns><see langword="true"/> when the query may go ahead.</returns>
    public bool TryAcquire(string sessionId, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(sessionId);
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
        return false;
    }

    public void Dispose() => _limiter?.Dispose();
}
