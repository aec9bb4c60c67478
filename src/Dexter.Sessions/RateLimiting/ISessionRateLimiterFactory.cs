using System.Threading.RateLimiting;

namespace Dexter.Sessions;

/// <summary>
/// Creates the rate limiter of one partition of an application's session limits (per client, per session), so that the
/// limits can live where the sessions live: the endpoints of Dexter.Sessions.AspNetCore resolve this service when one is
/// registered (<c>UseRedisRateLimits()</c> of Dexter.Sessions.Redis registers one), and keep in-process
/// <see cref="FixedWindowRateLimiter"/>s otherwise.
/// </summary>
/// <remarks>
/// A limiter whose backing service cannot be reached throws <see cref="SessionStoreUnavailableException"/> from
/// <see cref="RateLimiter.AcquireAsync(int, CancellationToken)"/>, as a store does, so that callers answer "unavailable,
/// try again" rather than fail; it never grants or refuses a permit it could not count.
/// </remarks>
public interface ISessionRateLimiterFactory
{
    /// <summary>Creates the limiter of one partition.</summary>
    /// <param name="partition">The partition, such as <c>client:alice</c> or <c>session:3f2…</c>; limiters of the same
    /// partition share their permits.</param>
    /// <param name="options">The window and the number of permits in it.</param>
    /// <returns>A limiter the caller owns and disposes.</returns>
    RateLimiter Create(string partition, FixedWindowRateLimiterOptions options);
}
