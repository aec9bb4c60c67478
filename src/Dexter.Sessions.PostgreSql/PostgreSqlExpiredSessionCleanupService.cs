using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.PostgreSql;

/// <summary>
/// Deletes expired sessions from PostgreSQL every <see cref="PostgreSqlSessionStoreOptions.CleanupInterval"/>, in batches of
/// <see cref="PostgreSqlSessionStoreOptions.CleanupBatchSize"/> sessions, each its own short transaction, until none is left.
/// Registered by <c>UsePostgreSql()</c>; does nothing when the application's session store is not PostgreSQL.
/// </summary>
internal sealed partial class PostgreSqlExpiredSessionCleanupService : BackgroundService
{
    private readonly ISessionStore _store;
    private readonly PostgreSqlSessionStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public PostgreSqlExpiredSessionCleanupService(
        ISessionStore store,
        IOptions<PostgreSqlSessionStoreOptions> options,
        TimeProvider? timeProvider = null,
        ILogger<PostgreSqlExpiredSessionCleanupService>? logger = null)
    {
        _store = store;
        _options = options.Value;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Deletes every expired session now, batch by batch.</summary>
    /// <returns>How many sessions were deleted.</returns>
    public async Task<int> CleanupOnceAsync(PostgreSqlSessionStore store, CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await store.DeleteExpiredSessionsAsync(_options.CleanupBatchSize, cancellationToken).ConfigureAwait(false);
            total += deleted;
        }
        while (deleted == _options.CleanupBatchSize);

        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_store.GetService(typeof(PostgreSqlSessionStore)) is not PostgreSqlSessionStore store)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.CleanupInterval, _timeProvider);
        do
        {
            try
            {
                var deleted = await CleanupOnceAsync(store, stoppingToken).ConfigureAwait(false);
                Log.CleanedUp(_logger, deleted, store.Endpoint);
            }
            catch (SessionStoreException e)
            {
                // The next round tries again; a database that is down must not stop the host.
                Log.CleanupFailed(_logger, store.Endpoint, _options.CleanupInterval, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 660, Level = LogLevel.Debug, Message = "Expired session cleanup deleted {Count} sessions from PostgreSQL at {Endpoint}.")]
        public static partial void CleanedUp(ILogger logger, int count, string endpoint);

        [LoggerMessage(EventId = 661, Level = LogLevel.Warning, Message = "Expired session cleanup in PostgreSQL at {Endpoint} failed; it runs again in {Interval}.")]
        public static partial void CleanupFailed(ILogger logger, string endpoint, TimeSpan interval, Exception exception);
    }
}
