using System.Numerics.Tensors;

namespace Dexter.Sessions.Embeddings;

/// <summary>Scores past turns against a query vector with <see cref="TensorPrimitives"/> and keeps the best ones.</summary>
internal static class RelevanceRanking
{
    /// <summary>
    /// Selects at most <paramref name="count"/> of <paramref name="turns"/> whose cosine similarity to <paramref name="query"/>
    /// is at least <paramref name="threshold"/>, ranked by <c>similarityWeight · cosine + recencyWeight · recency</c>.
    /// </summary>
    /// <returns>The selected turns in chronological order; empty when no turn reaches the threshold.</returns>
    /// <remarks>Turns whose vector has another length than the query's are skipped. Allocates O(count), whatever the number of turns.</remarks>
    public static Message[] SelectTop(
        ReadOnlySpan<float> query,
        IReadOnlyList<Message> turns,
        int count,
        float similarityWeight,
        float recencyWeight,
        float threshold)
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

            var similarity = TensorPrimitives.CosineSimilarity(query, vector);
            if (!(similarity >= threshold))
            {
                continue;
            }

            heap.Offer((similarityWeight * similarity) + (recencyWeight * (i * step)), i);
        }

        if (heap.Count == 0)
        {
            return [];
        }

        Span<int> indices = heap.Count <= 256 ? stackalloc int[heap.Count] : new int[heap.Count];
        heap.CopySortedIndicesTo(indices);
        var selected = new Message[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            selected[i] = turns[indices[i]];
        }

        return selected;
    }
}
