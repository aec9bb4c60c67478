using Dexter.Sessions;
using Dexter.Sessions.Embeddings;

namespace Dexter.Sessions.Embeddings.Benchmarks;

/// <summary>
/// The reference the library is measured against: the same ranking as the library's (same bounded heap, same scores),
/// with the cosine similarity written as a plain scalar loop.
/// </summary>
internal static class ScalarRanking
{
    public static Message[] SelectTop(ReadOnlySpan<float> query, IReadOnlyList<Message> turns, int count, float similarityWeight, float recencyWeight, float threshold)
    {
        var heap = new TopKHeap(count);
        var step = turns.Count > 1 ? 1f / (turns.Count - 1) : 0f;
        for (var i = 0; i < turns.Count; i++)
        {
            var vector = turns[i].Embedding.Span;
            if (vector.Length != query.Length)
            {
                continue;
            }

            var similarity = Cosine(query, vector);
            if (!(similarity >= threshold))
            {
                continue;
            }

            heap.Offer((similarityWeight * similarity) + (recencyWeight * (i * step)), i);
        }

        var indices = new int[heap.Count];
        heap.CopySortedIndicesTo(indices);
        var selected = new Message[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            selected[i] = turns[indices[i]];
        }

        return selected;
    }

    private static float Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float dot = 0, xx = 0, yy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            dot += x[i] * y[i];
            xx += x[i] * x[i];
            yy += y[i] * y[i];
        }

        return dot / (MathF.Sqrt(xx) * MathF.Sqrt(yy));
    }
}
