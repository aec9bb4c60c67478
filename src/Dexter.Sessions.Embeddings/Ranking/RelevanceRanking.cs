using System.Numerics.Tensors;

namespace Dexter.Sessions.Embeddings;

/// <summary>
/// Scores past turns against a query vector with <see cref="TensorPrimitives"/> and keeps the best ones in a bounded heap:
/// <c>similarityWeight · cosine + recencyWeight · recency</c> for turns whose cosine reaches the threshold, where recency
/// grows linearly from 0 for the first candidate to 1 for the last. Allocates O(count), whatever the number of turns.
/// </summary>
internal sealed class RelevanceRanking
{
    private readonly ReadOnlyMemory<float> _query;
    private readonly TopKHeap _heap;
    private readonly float _similarityWeight;
    private readonly float _recencyWeight;
    private readonly float _threshold;
    private readonly float _recencyStep;

    /// <summary>Initializes a ranking of <paramref name="candidateCount"/> turns that keeps at most <paramref name="count"/>.</summary>
    public RelevanceRanking(ReadOnlyMemory<float> query, int count, int candidateCount, float similarityWeight, float recencyWeight, float threshold)
    {
        _query = query;
        _heap = new TopKHeap(count);
        _similarityWeight = similarityWeight;
        _recencyWeight = recencyWeight;
        _threshold = threshold;
        _recencyStep = candidateCount > 1 ? 1f / (candidateCount - 1) : 0f;
    }

    /// <summary>Selects the best of <paramref name="turns"/>, skipping those whose vector has another length than the query's.</summary>
    /// <returns>The selected turns in chronological order; empty when no turn reaches the threshold.</returns>
    public static Message[] SelectTop(
        ReadOnlyMemory<float> query,
        IReadOnlyList<Message> turns,
        int count,
        float similarityWeight,
        float recencyWeight,
        float threshold)
    {
        var ranking = new RelevanceRanking(query, count, turns.Count, similarityWeight, recencyWeight, threshold);
        ranking.ScoreAll(turns);
        return ranking.GetSelected(turns);
    }

    /// <summary>Scores every turn whose vector has the query's length, in one pass.</summary>
    /// <returns>The indices of the turns that could not be scored (no vector, or one of another length); <see langword="null"/> when there are none.</returns>
    public List<int>? ScoreAll(IReadOnlyList<Message> turns)
    {
        List<int>? unscored = null;
        var query = _query.Span;
        for (var i = 0; i < turns.Count; i++)
        {
            var vector = turns[i].Embedding.Span;
            if (vector.Length != query.Length)
            {
                (unscored ??= []).Add(i);
                continue;
            }

            Offer(query, vector, i);
        }

        return unscored;
    }

    /// <summary>Scores one turn, by its index among the candidates; a vector of another length than the query's is skipped.</summary>
    public void Score(ReadOnlySpan<float> vector, int index)
    {
        var query = _query.Span;
        if (vector.Length == query.Length)
        {
            Offer(query, vector, index);
        }
    }

    /// <summary>Returns the kept turns of <paramref name="turns"/> in chronological order.</summary>
    public Message[] GetSelected(IReadOnlyList<Message> turns)
    {
        if (_heap.Count == 0)
        {
            return [];
        }

        Span<int> indices = _heap.Count <= 256 ? stackalloc int[_heap.Count] : new int[_heap.Count];
        _heap.CopySortedIndicesTo(indices);
        var selected = new Message[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            selected[i] = turns[indices[i]];
        }

        return selected;
    }

    private void Offer(ReadOnlySpan<float> query, ReadOnlySpan<float> vector, int index)
    {
        var similarity = TensorPrimitives.CosineSimilarity(query, vector);
        if (similarity >= _threshold)
        {
            _heap.Offer((_similarityWeight * similarity) + (_recencyWeight * (index * _recencyStep)), index);
        }
    }
}
