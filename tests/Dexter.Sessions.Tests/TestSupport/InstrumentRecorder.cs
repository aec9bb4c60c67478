using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Dexter.Sessions.Tests.TestSupport;

/// <summary>Records the measurements of one instrument of the Dexter.Sessions meter.</summary>
internal sealed class InstrumentRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public InstrumentRecorder(string instrumentName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DexterSessionsTelemetry.SourceName && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => _measurements.Enqueue(new Measurement(value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) => _measurements.Enqueue(new Measurement(value, tags.ToArray())));
        _listener.Start();
    }

    public IReadOnlyList<Measurement> Measurements => _measurements.ToArray();

    public double Sum => Measurements.Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();

    internal sealed record Measurement(double Value, KeyValuePair<string, object?>[] Tags)
    {
        public object? Tag(string name) => Tags.FirstOrDefault(t => t.Key == name).Value;
    }
}
