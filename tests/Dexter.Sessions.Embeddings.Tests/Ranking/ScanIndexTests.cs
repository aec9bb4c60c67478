using Dexter.Sessions.Embeddings.Tests.TestSupport;

namespace Dexter.Sessions.Embeddings.Tests.Ranking;

public class ScanIndexTests
{
    private const int Dimensions = 8;

    [TestCase(false)]
    [TestCase(true)]
    public void Prepare_SameTurnsAgain_ComputesNoRow(bool quantized)
    {
        var turns = RandomVectors.Turns(new Random(1), 50, Dimensions);
        var index = new ScanIndex(quantized);
        index.Prepare(turns, Dimensions);

        var start = index.Prepare(turns, Dimensions);

        Assert.Multiple(() =>
        {
            Assert.That(index.LastComputed, Is.Zero);
            Assert.That(index.Sources.Slice(start, turns.Length).ToArray(), Is.EqualTo(turns.Select(t => t.Embedding).ToArray()));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Prepare_WindowSlidesByOneTurnManyTimes_ComputesOneRowEachTimeAndKeepsRowsAligned(bool quantized)
    {
        var all = RandomVectors.Turns(new Random(2), 400, Dimensions);
        var index = new ScanIndex(quantized);
        index.Prepare(all[..100], Dimensions);

        for (var first = 1; first <= 300; first++)
        {
            var window = all[first..(first + 100)];
            var start = index.Prepare(window, Dimensions);

            Assert.That(index.LastComputed, Is.EqualTo(1), $"window starting at {first}");
            AssertRowsDescribe(index, start, window);
        }
    }

    [Test]
    public void Prepare_FreshArraysOfTheSameValues_ComputesEveryRow()
    {
        var turns = RandomVectors.Turns(new Random(3), 20, Dimensions);
        var index = new ScanIndex(quantized: true);
        index.Prepare(turns, Dimensions);
        var decoded = turns.Select(t => t with { Embedding = t.Embedding.ToArray() }).ToArray();

        var start = index.Prepare(decoded, Dimensions);

        Assert.Multiple(() =>
        {
            Assert.That(index.LastComputed, Is.EqualTo(20));
            AssertRowsDescribe(index, start, decoded);
        });
    }

    [Test]
    public void Prepare_TurnInTheMiddleReplaced_RecomputesFromThatTurn()
    {
        var turns = RandomVectors.Turns(new Random(4), 20, Dimensions);
        var index = new ScanIndex(quantized: true);
        index.Prepare(turns, Dimensions);
        turns[15] = turns[15] with { Embedding = RandomVectors.Unit(new Random(5), Dimensions) };

        var start = index.Prepare(turns, Dimensions);

        Assert.Multiple(() =>
        {
            Assert.That(index.LastComputed, Is.EqualTo(5));
            AssertRowsDescribe(index, start, turns);
        });
    }

    [Test]
    public void Prepare_OtherDimensions_MarksOtherLengthsUnscoredAndRecomputes()
    {
        var turns = new[] { Turns.Create(1, "a", [3f, 4f]), Turns.Create(2, "b", Turns.Axis(0)), Turns.Create(3, "c") };
        var index = new ScanIndex(quantized: true);
        index.Prepare(turns, 4);

        var start = index.Prepare(turns, 2);

        Assert.Multiple(() =>
        {
            Assert.That(index.LastComputed, Is.EqualTo(3));
            Assert.That(index.InverseNorms.Slice(start, 3).ToArray(), Is.EqualTo(new[] { 0.2f, float.NaN, float.NaN }).Within(1e-6f));
        });
    }

    [Test]
    public void Prepare_OldVectorOfAnyLength_KeepsItsInverseNormAndQuantizesItsUnitVector()
    {
        var unit = RandomVectors.Unit(new Random(6), Dimensions);
        var turns = new[] { Turns.Create(1, "a", unit), Turns.Create(2, "b", unit.Select(v => v * 4f).ToArray()) };
        var index = new ScanIndex(quantized: true);

        var start = index.Prepare(turns, Dimensions);

        Assert.Multiple(() =>
        {
            Assert.That(index.InverseNorms.Slice(start, 2).ToArray(), Is.EqualTo(new[] { 1f, 0.25f }).Within(1e-6f));
            Assert.That(index.Codes.Slice((start + 1) * Dimensions, Dimensions).ToArray(), Is.EqualTo(index.Codes.Slice(start * Dimensions, Dimensions).ToArray()));
        });
    }

    [Test]
    public void InverseNormOf_AfterReserveOfASlidWindow_ComputesOnlyTheNewTurnsRow()
    {
        var all = RandomVectors.Turns(new Random(7), 60, Dimensions);
        var index = new ScanIndex(quantized: false);
        var first = index.Reserve(all[..50], Dimensions);
        for (var i = 0; i < 50; i++)
        {
            index.InverseNormOf(first + i, all[i].Embedding);
        }

        var start = index.Reserve(all[1..51], Dimensions);
        var norms = Enumerable.Range(1, 50).Select(i => index.InverseNormOf(start + i - 1, all[i].Embedding)).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(index.LastComputed, Is.EqualTo(1));
            Assert.That(norms, Is.All.EqualTo(1f));
            AssertRowsDescribe(index, start, all[1..51]);
        });
    }

    [Test]
    public void InverseNormOf_QuantizedIndexAfterReserve_ComputesTheRowsCodesOnce()
    {
        var turns = RandomVectors.Turns(new Random(8), 30, Dimensions);
        var index = new ScanIndex(quantized: true);
        var start = index.Reserve(turns, Dimensions);
        for (var i = 0; i < turns.Length; i++)
        {
            index.InverseNormOf(start + i, turns[i].Embedding);
        }

        var computedFirst = index.LastComputed;
        start = index.Reserve(turns, Dimensions);
        for (var i = 0; i < turns.Length; i++)
        {
            index.InverseNormOf(start + i, turns[i].Embedding);
        }

        Assert.Multiple(() =>
        {
            Assert.That(computedFirst, Is.EqualTo(30));
            Assert.That(index.LastComputed, Is.Zero);
            AssertRowsDescribe(index, start, turns);
        });
    }

    private static void AssertRowsDescribe(ScanIndex index, int start, Message[] turns)
    {
        for (var i = 0; i < turns.Length; i++)
        {
            var row = start + i;
            Assert.That(index.Sources[row].Equals(turns[i].Embedding), Is.True, $"source of row {row}");
            Assert.That(index.InverseNorms[row], Is.EqualTo(UnitVectors.GetInverseNorm(turns[i].Embedding.Span)), $"inverse norm of row {row}");
            if (index.Quantized)
            {
                var codes = new sbyte[Dimensions];
                var (scale, _) = Int8Vectors.Quantize(turns[i].Embedding.Span, index.InverseNorms[row], codes);
                Assert.That(index.Codes.Slice(row * Dimensions, Dimensions).ToArray(), Is.EqualTo(codes), $"codes of row {row}");
                Assert.That(index.Scales[row], Is.EqualTo(scale), $"scale of row {row}");
            }
        }
    }
}
