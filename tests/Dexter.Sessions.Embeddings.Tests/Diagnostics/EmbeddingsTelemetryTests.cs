using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Dexter.Sessions.Embeddings.Tests.TestSupport;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Embeddings.Tests.Diagnostics;

public class EmbeddingsTelemetryTests
{
    private readonly ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = new();
    private MeterListener _listener = null!;

    [SetUp]
    public void SetUp()
    {
        // NUnit keeps one fixture instance for all its tests.
        _measurements.Clear();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DexterSessionsTelemetry.SourceName && instrument.Name.StartsWith("dexter.sessions.embeddings.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        _listener.Start();
    }

    [TearDown]
    public void TearDown() => _listener.Dispose();

    [Test]
    public async Task SelectAsync_OldTurnsWithoutVectors_CountsQueryAndBackfillTexts()
    {
        using var generator = new FakeEmbeddingGenerator();
        var turns = Enumerable.Range(1, 4).Select(i => Turns.Create(i, "turn " + i)).ToArray();

        await new EmbeddingMessageSelector(generator).SelectAsync(new MessageSelectionContext("query", turns, 2));

        var texts = _measurements.Where(m => m.Instrument == "dexter.sessions.embeddings.texts").ToArray();
        Assert.That(texts.Select(m => (m.Value, m.Tags["operation"])), Is.EqualTo(new[] { (1L, (object?)"query"), (4L, "backfill") }));
    }

    [Test]
    public async Task PrepareTurnAsync_GeneratorThrows_CountsFallbackWithReason()
    {
        using var generator = new FakeEmbeddingGenerator { OnGenerate = (_, _) => throw new HttpRequestException("down") };

        await new EmbeddingMessageSelector(generator).PrepareTurnAsync(Turns.Create(0, "s"));

        var fallback = _measurements.Single(m => m.Instrument == "dexter.sessions.embeddings.fallbacks");
        Assert.Multiple(() =>
        {
            Assert.That(fallback.Value, Is.EqualTo(1));
            Assert.That(fallback.Tags["operation"], Is.EqualTo("prepare"));
            Assert.That(fallback.Tags["reason"], Is.EqualTo(nameof(HttpRequestException)));
        });
    }

    [Test]
    public async Task SelectAsync_GeneratorFails_CountsSelectFallback()
    {
        using var generator = new FakeEmbeddingGenerator
        {
            OnGenerate = (_, _) => Task.FromException<GeneratedEmbeddings<Embedding<float>>>(new InvalidOperationException("down")),
        };
        var turns = Enumerable.Range(1, 4).Select(i => Turns.Create(i, "turn " + i)).ToArray();

        await new EmbeddingMessageSelector(generator).SelectAsync(new MessageSelectionContext("query", turns, 2));

        var fallback = _measurements.Single(m => m.Instrument == "dexter.sessions.embeddings.fallbacks");
        Assert.That(fallback.Tags["operation"], Is.EqualTo("select"));
    }
}
