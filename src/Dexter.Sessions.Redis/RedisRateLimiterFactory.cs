using System.Threading.RateLimiting;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis;

/// <summary>
/// Fixed-window limiters kept in the session store's Redis server (the RedisRateLimiting package's
/// <see cref="RedisFixedWindowRateLimiter{TKey}"/>), on the store's own connection and key prefix, failing as the store
/// does: <see cref="SessionStoreUnavailableException"/> within the store's operation timeout when Redis cannot be reached.
/// </summary>
internal sealed class RedisRateLimiterFactory(RedisSessionStore store, string keyPrefix) : ISessionRateLimiterFactory
{
    public RateLimiter Create(string partition, FixedWindowRateLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(options);
        return new PartitionLimiter(store, keyPrefix + partition, options);
    }

    /// <summary>One partition's limiter; the Redis limiter is made once the store's connection is open, never blocking on it.</summary>
    private sealed class PartitionLimiter(RedisSessionStore store, string key, FixedWindowRateLimiterOptions options) : RateLimiter
    {
        private RedisFixedWindowRateLimiter<string>? _limiter;

        public override TimeSpan? IdleDuration => Volatile.Read(ref _limiter)?.IdleDuration ?? TimeSpan.Zero;

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
            // Counting needs a round trip to Redis; as RedisRateLimiting's own limiter does, the synchronous attempt grants nothing.
            Volatile.Read(ref _limiter)?.AttemptAcquire(permitCount) ?? new RefusedLease();

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            try
            {
                var limiter = Volatile.Read(ref _limiter);
                if (limiter is null)
                {
                    var connection = await store.GetConnectionAsync().ConfigureAwait(false);
                    limiter = new RedisFixedWindowRateLimiter<string>(key, new RedisFixedWindowRateLimiterOptions
                    {
                        ConnectionMultiplexerFactory = () => connection,
                        PermitLimit = options.PermitLimit,
                        Window = options.Window,
                    });
                    limiter = Interlocked.CompareExchange(ref _limiter, limiter, null) ?? limiter;
                }

                // The Redis limiter takes no token: a caller that gives up stops waiting for it.
                return await limiter.AcquireAsync(permitCount, cancellationToken).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (RedisSessionStore.IsRedisFailure(e))
            {
                throw store.Translate(e, sessionId: null);
            }
        }

        private sealed class RefusedLease : RateLimitLease
        {
            public override bool IsAcquired => false;

            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }
}
