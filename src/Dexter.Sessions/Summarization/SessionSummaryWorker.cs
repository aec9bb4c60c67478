using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// Does the work that follows a recorded turn — the model's summary of the turn and the session's rolling summary — in the
/// background, so that a turn is recorded (and its answer sent) as soon as the model finishes.
/// </summary>
/// <remarks>
/// <para>The queue is bounded (<see cref="DexterSessionsOptions.SummaryQueueCapacity"/>): a turn that finds it full waits for room,
/// so a slow summarizer slows new turns down instead of holding unbounded work in memory. Up to <see cref="MaxConcurrency"/> pieces
/// run at once.</para>
/// <para><c>AddDexterSessions()</c> registers it as a hosted service. Work starts with the first queued piece, so it runs in apps
/// without a host too. Stopping the host (<see cref="StopAsync"/>) or disposing the service provider drains the queue: what was
/// queued is done, until the host's shutdown timeout ends it. A piece queued after that runs at once, on the caller's path.</para>
/// </remarks>
public sealed partial class SessionSummaryWorker : IHostedService, IAsyncDisposable, IDisposable
{
    /// <summary>How many pieces of work run at once.</summary>
    public const int MaxConcurrency = 4;

    /// <summary>How long <see cref="Dispose"/> waits for the queue to drain before it cancels what is left.</summary>
    public static readonly TimeSpan DisposeDrainTimeout = TimeSpan.FromSeconds(30);

    private readonly Channel<Func<CancellationToken, Task>> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private Task? _running;
    private int _pending;
    private int _disposed;

    /// <summary>Initializes the worker.</summary>
    /// <param name="options">The options; <see cref="DexterSessionsOptions.SummaryQueueCapacity"/> bounds the queue. Defaults when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    public SessionSummaryWorker(IOptions<DexterSessionsOptions>? options = null, ILogger<SessionSummaryWorker>? logger = null)
    {
        var capacity = (options?.Value ?? new DexterSessionsOptions()).SummaryQueueCapacity;
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _queue = Channel.CreateBounded<Func<CancellationToken, Task>>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Gets how many pieces of work are queued or running.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues a piece of work; waits for room when the queue is full, and runs it at once when the worker has stopped.</summary>
    /// <param name="work">The work; it gets a token that is cancelled when the shutdown timeout ends the draining. Its exceptions are logged.</param>
    /// <param name="cancellationToken">A token to stop waiting for room.</param>
    /// <returns>A task that completes when the work is queued (or, after the worker stopped, done).</returns>
    public async ValueTask EnqueueAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        EnsureRunning();
        Interlocked.Increment(ref _pending);
        try
        {
            if (!_queue.Writer.TryWrite(work))
            {
                Log.QueueFull(_logger);
                await _queue.Writer.WriteAsync(work, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException)
        {
            // Stopped: nothing is dropped, the work runs on the caller's path.
            await RunAsync(work, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }
    }

    /// <summary>Waits until every piece of work queued so far is done. Meant for tests and tools; a host drains on stop.</summary>
    /// <param name="cancellationToken">A token to stop waiting.</param>
    /// <returns>A task that completes when nothing is queued or running.</returns>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (Pending > 0)
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        EnsureRunning();
        return Task.CompletedTask;
    }

    /// <summary>Stops taking work and drains the queue: returns when everything queued is done, or when <paramref name="cancellationToken"/>
    /// (the host's shutdown timeout) fires, which cancels what is still running.</summary>
    /// <param name="cancellationToken">The end of the shutdown time.</param>
    /// <returns>A task that completes when the worker has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        Task? running;
        lock (_gate)
        {
            running = _running;
        }

        if (running is null)
        {
            return;
        }

        if (Pending > 0)
        {
            Log.Draining(_logger, Pending);
        }

        try
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.DrainCutShort(_logger, Pending);
            if (Volatile.Read(ref _disposed) == 0)
            {
                await _stopping.CancelAsync().ConfigureAwait(false);
            }

            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Drains the queue (as <see cref="StopAsync"/> with no time limit) and releases the worker.</summary>
    /// <returns>A task that completes when the worker has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Dispose();
        }
    }

    /// <summary>
    /// Drains the queue, waiting at most <see cref="DisposeDrainTimeout"/> (then what is left is cancelled), and releases the worker;
    /// for a service provider disposed synchronously. Prefer <see cref="DisposeAsync"/>.
    /// </summary>
    public void Dispose()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        using (var limit = new CancellationTokenSource(DisposeDrainTimeout))
        {
            StopAsync(limit.Token).GetAwaiter().GetResult();
        }

        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Dispose();
        }
    }

    private void EnsureRunning()
    {
        if (Volatile.Read(ref _running) is not null)
        {
            return;
        }

        lock (_gate)
        {
            _running ??= Task.WhenAll(Enumerable.Range(0, MaxConcurrency).Select(_ => Task.Run(ProcessAsync)));
        }
    }

    private async Task ProcessAsync()
    {
        await foreach (var work in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await RunAsync(work, _stopping.Token).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.WorkCancelled(_logger);
        }
        catch (Exception ex)
        {
            Log.WorkFailed(_logger, ex);
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1030, Level = LogLevel.Debug, Message = "The background summary queue is full; the turn waits for room (Dexter:Sessions:SummaryQueueCapacity).")]
        public static partial void QueueFull(ILogger logger);

        [LoggerMessage(EventId = 1031, Level = LogLevel.Information, Message = "Stopping: finishing {Count} pieces of background summary work.")]
        public static partial void Draining(ILogger logger, int count);

        [LoggerMessage(EventId = 1032, Level = LogLevel.Warning, Message = "The shutdown timeout ended background summary work with {Count} pieces not done; those turns keep their short summaries and are folded into the rolling summary after the next turn.")]
        public static partial void DrainCutShort(ILogger logger, int count);

        [LoggerMessage(EventId = 1033, Level = LogLevel.Debug, Message = "A piece of background summary work was cancelled by the shutdown.")]
        public static partial void WorkCancelled(ILogger logger);

        [LoggerMessage(EventId = 1034, Level = LogLevel.Error, Message = "A piece of background summary work failed.")]
        public static partial void WorkFailed(ILogger logger, Exception exception);
    }
}
