using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Sqlite;

/// <summary>
/// Deletes expired sessions of the registered <see cref="SqliteSessionStore"/> every
/// <see cref="SqliteSessionStoreOptions.CleanupInterval"/>, <see cref="SqliteSessionStoreOptions.CleanupBatchSize"/> sessions
/// per transaction. Does nothing when the registered store is not SQLite. Registered by <c>UseSqlite()</c>.
/// </summary>
internal sealed partial class SqliteSessionCleanupService : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public SqliteSessionCleanupService(IServiceProvider services, TimeProvider? timeProvider = null, ILogger<SqliteSessionCleanupService>? logger = null)
    {
        _services = services;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_services.GetRequiredService<ISessionStore>().GetService(typeof(SqliteSessionStore)) is not SqliteSessionStore store)
        {
            return;
        }

        var options = _services.GetRequiredService<IOptions<SqliteSessionStoreOptions>>().Value;
        using var timer = new PeriodicTimer(options.CleanupInterval, _timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await RunOnceAsync(store, options.CleanupBatchSize, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes every expired session, one batch per transaction, so writers wait at most one batch.</summary>
    internal async Task<int> RunOnceAsync(SqliteSessionStore store, int batchSize, CancellationToken cancellationToken)
    {
        var total = 0;
        try
        {
            int removed;
            do
            {
                removed = await store.DeleteExpiredSessionsAsync(batchSize, cancellationToken).ConfigureAwait(false);
                total += removed;
            }
            while (removed == batchSize);
        }
        catch (SessionStoreException e)
        {
            // The next round tries again; the failure is reported, not hidden.
            Log.CleanupFailed(_logger, store.Path, e);
        }

        return total;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 610, Level = LogLevel.Warning, Message = "Deleting expired sessions from {Path} failed; the next round tries again.")]
        public static partial void CleanupFailed(ILogger logger, string path, Exception exception);
    }
}
