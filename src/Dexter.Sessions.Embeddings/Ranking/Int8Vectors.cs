using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dexter.Sessions.Embeddings;

/// <summary>
/// Symmetric int8 quantization of unit vectors with one scale per vector (<c>v ≈ scale · codes</c>, codes in [-127, 127]),
/// and the integer dot product the first pass of a quantized scan runs on: a quarter of the bytes of float32.
/// </summary>
/// <remarks>
/// Products of two codes fit a 16-bit integer (127² = 16,129) and sums of two of them still do, so the kernels widen the
/// row's bytes to 16 bits, multiply-add adjacent pairs into 32-bit lanes and add those up: exact integer arithmetic, no
/// overflow for vectors of up to 130,000 dimensions. The query's codes are widened once per query
/// (<see cref="Widen"/>), so a row costs one sign-extending load, one multiply-add and one add per 16 or 32 bytes.
/// </remarks>
internal static class Int8Vectors
{
    /// <summary>The largest code magnitude.</summary>
    public const int MaxCode = 127;

    /// <summary>Quantizes a unit vector (or a vector to be scaled by <paramref name="inverseNorm"/>) into <paramref name="codes"/>.</summary>
    /// <returns>The scale (NaN for a zero vector, which is never similar to anything) and the L2 norm of the quantization error.</returns>
    public static (float Scale, float Error) Quantize(ReadOnlySpan<float> vector, float inverseNorm, Span<sbyte> codes)
    {
        var largest = MathF.Abs(TensorPrimitives.MaxMagnitude(vector)) * inverseNorm;
        if (!(largest > 0f) || !float.IsFinite(largest))
        {
            codes.Clear();
            return (float.NaN, 0f);
        }

        var scale = largest / MaxCode;
        var toCode = inverseNorm / scale;
        var error = 0f;
        for (var i = 0; i < vector.Length; i++)
        {
            var value = vector[i] * inverseNorm;
            var code = (int)MathF.Round(vector[i] * toCode);
            code = Math.Clamp(code, -MaxCode, MaxCode);
            codes[i] = (sbyte)code;
            var difference = value - (scale * code);
            error += difference * difference;
        }

        return (scale, MathF.Sqrt(error));
    }

    /// <summary>Widens a query's codes to 16 bits, once per query.</summary>
    public static short[] Widen(ReadOnlySpan<sbyte> codes)
    {
        var wide = new short[codes.Length];
        for (var i = 0; i < codes.Length; i++)
        {
            wide[i] = codes[i];
        }

        return wide;
    }

    /// <summary>Returns the dot product of a row's codes and a query's widened codes, exactly, with the widest SIMD the machine has.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Dot(ReadOnlySpan<sbyte> row, ReadOnlySpan<short> query)
    {
        if (Avx512BW.IsSupported && row.Length >= 32)
        {
            return DotAvx512(row, query);
        }

        if (Avx2.IsSupported && row.Length >= 16)
        {
            return DotAvx2(row, query);
        }

        return Vector128.IsHardwareAccelerated && row.Length >= 16 ? DotVector128(row, query) : DotScalar(row, query, 0);
    }

    /// <summary>The AVX-512 kernel: 32 codes per step (sign-extend to 16 bits, <c>vpmaddwd</c>, add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int DotAvx512(ReadOnlySpan<sbyte> row, ReadOnlySpan<short> query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Length, row.Length, nameof(query));
        ref var r = ref MemoryMarshal.GetReference(row);
        ref var q = ref MemoryMarshal.GetReference(query);
        var acc0 = Vector512<int>.Zero;
        var acc1 = Vector512<int>.Zero;
        var i = 0;
        for (; i <= row.Length - 64; i += 64)
        {
            var a0 = Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref r, (nuint)i));
            var a1 = Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref r, (nuint)(i + 32)));
            acc0 += Avx512BW.MultiplyAddAdjacent(a0, Vector512.LoadUnsafe(ref q, (nuint)i));
            acc1 += Avx512BW.MultiplyAddAdjacent(a1, Vector512.LoadUnsafe(ref q, (nuint)(i + 32)));
        }

        for (; i <= row.Length - 32; i += 32)
        {
            var a = Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref r, (nuint)i));
            acc0 += Avx512BW.MultiplyAddAdjacent(a, Vector512.LoadUnsafe(ref q, (nuint)i));
        }

        return Vector512.Sum(acc0 + acc1) + DotScalar(row, query, i);
    }

    /// <summary>The AVX2 kernel: 16 codes per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int DotAvx2(ReadOnlySpan<sbyte> row, ReadOnlySpan<short> query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Length, row.Length, nameof(query));
        ref var r = ref MemoryMarshal.GetReference(row);
        ref var q = ref MemoryMarshal.GetReference(query);
        var acc0 = Vector256<int>.Zero;
        var acc1 = Vector256<int>.Zero;
        var i = 0;
        for (; i <= row.Length - 32; i += 32)
        {
            var a0 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r, (nuint)i));
            var a1 = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r, (nuint)(i + 16)));
            acc0 += Avx2.MultiplyAddAdjacent(a0, Vector256.LoadUnsafe(ref q, (nuint)i));
            acc1 += Avx2.MultiplyAddAdjacent(a1, Vector256.LoadUnsafe(ref q, (nuint)(i + 16)));
        }

        for (; i <= row.Length - 16; i += 16)
        {
            var a = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref r, (nuint)i));
            acc0 += Avx2.MultiplyAddAdjacent(a, Vector256.LoadUnsafe(ref q, (nuint)i));
        }

        return Vector256.Sum(acc0 + acc1) + DotScalar(row, query, i);
    }

    /// <summary>The portable kernel (Arm64 and any 128-bit SIMD): 16 codes per step, pairs of products added in 16 bits, then widened.</summary>
    internal static int DotVector128(ReadOnlySpan<sbyte> row, ReadOnlySpan<short> query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Length, row.Length, nameof(query));
        ref var r = ref MemoryMarshal.GetReference(row);
        ref var q = ref MemoryMarshal.GetReference(query);
        var acc = Vector128<int>.Zero;
        var i = 0;
        for (; i <= row.Length - 16; i += 16)
        {
            var (low, high) = Vector128.Widen(Vector128.LoadUnsafe(ref r, (nuint)i));
            // Each product is at most 127 · 127, so the sum of two fits 16 bits.
            var pairs = (low * Vector128.LoadUnsafe(ref q, (nuint)i)) + (high * Vector128.LoadUnsafe(ref q, (nuint)(i + 8)));
            var (pairsLow, pairsHigh) = Vector128.Widen(pairs);
            acc += pairsLow + pairsHigh;
        }

        return Vector128.Sum(acc) + DotScalar(row, query, i);
    }

    /// <summary>The scalar reference, from <paramref name="start"/> on.</summary>
    internal static int DotScalar(ReadOnlySpan<sbyte> row, ReadOnlySpan<short> query, int start)
    {
        var sum = 0;
        for (var i = start; i < row.Length; i++)
        {
            sum += row[i] * query[i];
        }

        return sum;
    }
}
