using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dexter.Sessions.Embeddings.Tests.TestSupport;

namespace Dexter.Sessions.Embeddings.Tests.Ranking;

public class Int8VectorsTests
{
    private static readonly int[] Lengths = [1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 384, 1536];

    [Test]
    public void Dot_ExtremeCodesOfEveryLength_EqualsScalarReference()
    {
        foreach (var length in Lengths)
        {
            var row = Enumerable.Range(0, length).Select(i => (sbyte)(i % 3 == 0 ? -127 : 127)).ToArray();
            var query = Enumerable.Range(0, length).Select(i => (short)(i % 2 == 0 ? -127 : 127)).ToArray();

            AssertKernelsAgree(row, query);
        }
    }

    [Test]
    public void Dot_RandomCodesOfEveryLength_EqualsScalarReference()
    {
        var random = new Random(7);
        foreach (var length in Lengths)
        {
            var row = Enumerable.Range(0, length).Select(_ => (sbyte)random.Next(-127, 128)).ToArray();
            var query = Enumerable.Range(0, length).Select(_ => (short)random.Next(-127, 128)).ToArray();

            AssertKernelsAgree(row, query);
        }
    }

    [Test]
    public void Quantize_UnitVector_ErrorIsTheNormOfTheDifference()
    {
        var vector = RandomVectors.Unit(new Random(3), 384);
        var codes = new sbyte[384];

        var (scale, error) = Int8Vectors.Quantize(vector, 1f, codes);

        var restored = codes.Select(c => c * scale).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(codes.Max(c => Math.Abs((int)c)), Is.EqualTo(Int8Vectors.MaxCode));
            Assert.That(error, Is.EqualTo(TensorPrimitives.Distance(vector, restored)).Within(1e-5f));
            Assert.That(error, Is.LessThan(0.01f));
        });
    }

    [Test]
    public void Quantize_WithInverseNorm_QuantizesTheUnitVector()
    {
        var unit = RandomVectors.Unit(new Random(4), 64);
        var scaled = unit.Select(v => v * 5f).ToArray();
        var unitCodes = new sbyte[64];
        var scaledCodes = new sbyte[64];

        var (unitScale, _) = Int8Vectors.Quantize(unit, 1f, unitCodes);
        var (scaledScale, _) = Int8Vectors.Quantize(scaled, 0.2f, scaledCodes);

        Assert.Multiple(() =>
        {
            Assert.That(scaledCodes, Is.EqualTo(unitCodes));
            Assert.That(scaledScale, Is.EqualTo(unitScale).Within(1e-6f));
        });
    }

    [Test]
    public void Quantize_ZeroVector_ReturnsNaNScale()
    {
        var codes = new sbyte[8];

        var (scale, _) = Int8Vectors.Quantize(new float[8], 1f, codes);

        Assert.Multiple(() =>
        {
            Assert.That(scale, Is.NaN);
            Assert.That(codes, Is.All.EqualTo(0));
        });
    }

    [Test]
    public void Dot_QuantizedUnitVectors_StaysWithinTheErrorBound()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 200; trial++)
        {
            var x = RandomVectors.Unit(random, 384);
            var y = RandomVectors.Unit(random, 384);
            var (xCodes, yCodes) = (new sbyte[384], new sbyte[384]);
            var (xScale, xError) = Int8Vectors.Quantize(x, 1f, xCodes);
            var (yScale, yError) = Int8Vectors.Quantize(y, 1f, yCodes);

            var approximate = xScale * yScale * Int8Vectors.Dot(xCodes, Int8Vectors.Widen(yCodes));

            Assert.That(approximate, Is.EqualTo(TensorPrimitives.Dot(x, y)).Within(xError + yError + (3 * xError * yError)));
        }
    }

    private static void AssertKernelsAgree(sbyte[] row, short[] query)
    {
        var expected = Int8Vectors.DotScalar(row, query, 0);
        Assert.That(Int8Vectors.Dot(row, query), Is.EqualTo(expected), $"length {row.Length}");
        if (Vector128.IsHardwareAccelerated)
        {
            Assert.That(Int8Vectors.DotVector128(row, query), Is.EqualTo(expected), $"Vector128, length {row.Length}");
        }

        if (Avx2.IsSupported)
        {
            Assert.That(Int8Vectors.DotAvx2(row, query), Is.EqualTo(expected), $"AVX2, length {row.Length}");
        }

        if (Avx512BW.IsSupported)
        {
            Assert.That(Int8Vectors.DotAvx512(row, query), Is.EqualTo(expected), $"AVX-512, length {row.Length}");
        }
    }
}
