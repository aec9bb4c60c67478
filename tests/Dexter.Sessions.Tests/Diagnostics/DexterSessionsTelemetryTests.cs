using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Dexter.Sessions.Tests.Diagnostics;

public sealed class DexterSessionsTelemetryTests
{
    [Test]
    public void SourceName_IsDexterSessions()
    {
        Assert.That(DexterSessionsTelemetry.SourceName, Is.EqualTo("Dexter.Sessions"));
    }

    [Test]
    public void Meter_PublishesTheDocumentedInstruments()
    {
        var published = new List<(string Name, string? Unit)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == DexterSessionsTelemetry.SourceName)
                {
                    published.Add((instrument.Name, instrument.Unit));
                }
            },
        };
        RuntimeHelpers(); // make sure the instruments exist before listening

        listener.Start();

        Assert.That(published, Is.EquivalentTo(new[]
        {
            ("dexter.sessions.turns", "{turn}"),
            ("gen_ai.client.operation.duration", "s"),
            ("gen_ai.client.token.usage", "{token}"),
            ("dexter.sessions.summarizer.fallbacks", "{fallback}"),
            ("dexter.sessions.selector.fallbacks", "{fallback}"),
            ("dexter.sessions.audit.events", "{event}"),
        }));
    }

    [Test]
    public void ActivitySource_HasTheSourceName_AndIsListenedToByName()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DexterSessionsTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(listener);

        Assert.Multiple(() =>
        {
            Assert.That(DexterSessionsTelemetry.ActivitySource.Name, Is.EqualTo("Dexter.Sessions"));
            Assert.That(DexterSessionsTelemetry.ActivitySource.HasListeners(), Is.True);
        });
    }

    private static void RuntimeHelpers() => _ = DexterSessionsTelemetry.Meter.Name;
}
