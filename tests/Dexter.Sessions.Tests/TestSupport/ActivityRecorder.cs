using System.Collections.Concurrent;
using System.Diagnostics;

namespace Dexter.Sessions.Tests.TestSupport;

/// <summary>Listens to the Dexter.Sessions activity source and keeps every activity that stopped.</summary>
internal sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public ActivityRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DexterSessionsTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped => _stopped.ToArray();

    public void Dispose() => _listener.Dispose();
}
