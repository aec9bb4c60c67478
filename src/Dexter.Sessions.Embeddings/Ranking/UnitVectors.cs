using System.Numerics.Tensors;

namespace Dexter.Sessions.Embeddings;

/// <summary>
/// L2 normalization of embedding vectors: new vectors are stored at unit length, so that a similarity is one
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>; vectors stored before (of any length)
/// are recognised by their norm and scaled on read.
/// </summary>
internal static class UnitVectors
{
    /// <summary>How far from 1 a squared norm may be and the vector still count as unit length (float rounding of 384 terms is about 1e-6).</summary>
    public const float Tolerance = 1e-4f;

    /// <summary>Returns 1 for a vector of unit length, 1 / norm for another non-zero vector, and NaN for a zero (or non-finite) vector, which is never similar to anything.</summary>
    public static float GetInverseNorm(ReadOnlySpan<float> vector)
    {
        var squared = TensorPrimitives.SumOfSquares(vector);
        if (MathF.Abs(squared - 1f) <= Tolerance)
        {
            return 1f;
        }

        return squared > 0f && float.IsFinite(squared) ? 1f / MathF.Sqrt(squared) : float.NaN;
    }

    /// <summary>Returns <paramref name="vector"/> itself when it has unit length (or is empty or zero), else a normalized copy.</summary>
    public static ReadOnlyMemory<float> Normalize(ReadOnlyMemory<float> vector)
    {
        var inverse = GetInverseNorm(vector.Span);
        if (inverse == 1f || float.IsNaN(inverse))
        {
            return vector;
        }

        var copy = new float[vector.Length];
        TensorPrimitives.Multiply(vector.Span, inverse, copy);
        return copy;
    }
}
