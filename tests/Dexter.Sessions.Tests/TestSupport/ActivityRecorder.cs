using System.Collections.Concurrent;
using System.Diagnostics;

namespace Dexter.Sessions.Tests.TestSupport;

/// <summary>Listens to the Dexter.Sessions activity source and keeps every activity that stopped.</summary>
internal sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    /// <summary>Starts recording the activities of the sources whose names <paramref name="sources"/> accepts; Dexter.Sessions' by default.</summary>
    public ActivityRecorder(Func<string, bool>? sources = null)
    {
        sources ??= name => name == DexterSessionsTelemetry.SourceName;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped => _stopped.ToArray();

    public void Dispose() => _listener.Dispose();
}
