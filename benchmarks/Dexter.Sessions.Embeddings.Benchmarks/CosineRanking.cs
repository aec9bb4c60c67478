namespace Dexter.Sessions.Embeddings.Benchmarks;

/// <summary>
/// The scan the float32 path replaced: <see cref="System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// per turn (both norms recomputed for every turn), same bounded heap, same scores.
/// </summary>
internal static class CosineRanking
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

            var similarity = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(query, vector);
            if (similarity >= threshold)
            {
                heap.Offer((similarityWeight * similarity) + (recencyWeight * (i * step)), i);
            }
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
}
