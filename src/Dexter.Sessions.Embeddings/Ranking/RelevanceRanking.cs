using System.Buffers;
using System.Numerics.Tensors;

namespace Dexter.Sessions.Embeddings;

/// <summary>
/// Scores past turns against a query vector and keeps the best ones in a bounded heap:
/// <c>similarityWeight · cosine + recencyWeight · recency</c> for turns whose cosine reaches the threshold, where recency
/// grows linearly from 0 for the first candidate to 1 for the last. Allocates O(count), whatever the number of turns.
/// </summary>
/// <remarks>
/// <para>The query is normalized once; a cosine is then one <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// with a unit vector, times the turn's inverse norm for a vector stored before vectors were normalized (1 otherwise),
/// which a <see cref="ScanIndex"/> computes once per vector.</para>
/// <para>With a quantized index, a first pass scores every turn from its int8 codes and keeps the best
/// <see cref="GetRescoreCount"/> turns, which are then scored exactly; then every other turn whose score could still beat
/// the worst kept one, by the bound of its quantization error (<c>|q·v − q̂·v̂| ≤ e_q + e_v + 3·e_q·e_v</c>), is scored
/// exactly too. The selection is therefore the exact ranking's, not an approximation of it. The threshold is applied
/// exactly as well: a turn passes the first pass only when its approximate cosine plus its bound reaches the threshold, and
/// a turn within its bound of the threshold is checked with its float vector at once.</para>
/// </remarks>
internal sealed class RelevanceRanking
{
    /// <summary>The first pass of a quantized scan keeps this many times the requested count for exact re-scoring.</summary>
    public const int RescoreFactor = 4;

    /// <summary>The first pass of a quantized scan keeps at least this many turns for exact re-scoring.</summary>
    public const int MinRescoreCount = 32;

    // Float rounding of the integer dot product's scaling, above the quantization error bound.
    private const float RoundingSlack = 1e-5f;

    private readonly float[] _query;
    private readonly TopKHeap _heap;
    private readonly int _count;
    private readonly float _similarityWeight;
    private readonly float _recencyWeight;
    private readonly float _threshold;
    private readonly float _recencyStep;
    private float _floor = float.NegativeInfinity;

    /// <summary>Initializes a ranking of <paramref name="candidateCount"/> turns that keeps at most <paramref name="count"/>.</summary>
    public RelevanceRanking(ReadOnlyMemory<float> query, int count, int candidateCount, float similarityWeight, float recencyWeight, float threshold)
    {
        // A zero query has no direction: every cosine is NaN, no turn is kept, and the caller falls back to the latest turns.
        _query = new float[query.Length];
        TensorPrimitives.Multiply(query.Span, UnitVectors.GetInverseNorm(query.Span), _query);
        _heap = new TopKHeap(count);
        _count = count;
        _similarityWeight = similarityWeight;
        _recencyWeight = recencyWeight;
        _threshold = threshold;
        _recencyStep = candidateCount > 1 ? 1f / (candidateCount - 1) : 0f;
    }

    /// <summary>Gets how many turns the last quantized scan scored exactly (its shortlist and the turns that could still rank).</summary>
    public int Rescored { get; private set; }

    /// <summary>Gets how many turns the first pass of a quantized scan keeps for exact re-scoring when <paramref name="count"/> are selected.</summary>
    public static int GetRescoreCount(int count) => Math.Max(RescoreFactor * count, MinRescoreCount);

    /// <summary>
    /// Selects the best of <paramref name="turns"/>, skipping those whose vector has another length than the query's, through
    /// <paramref name="index"/> (locked by the caller) when there is one; without one, every vector's norm is computed here.
    /// </summary>
    /// <returns>The selected turns in chronological order; empty when no turn reaches the threshold.</returns>
    public static Message[] SelectTop(
        ReadOnlyMemory<float> query,
        IReadOnlyList<Message> turns,
        int count,
        float similarityWeight,
        float recencyWeight,
        float threshold,
        ScanIndex? index = null)
    {
        var ranking = new RelevanceRanking(query, count, turns.Count, similarityWeight, recencyWeight, threshold);
        ranking.ScoreAll(turns, index);
        return ranking.GetSelected(turns);
    }

    /// <summary>
    /// Scores every turn of <paramref name="turns"/> (in chronological order) whose vector has the query's length, in one pass
    /// (two with a quantized index: the scan and the re-scoring), through <paramref name="index"/> (locked by the caller) when
    /// there is one; without one, every vector's norm is computed here.
    /// </summary>
    /// <returns>The indices of the turns that could not be scored (no vector, or one of another length); <see langword="null"/> when there are none.</returns>
    public List<int>? ScoreAll(IReadOnlyList<Message> turns, ScanIndex? index = null)
    {
        if (index is null)
        {
            return ScoreEach(turns);
        }

        return index.Quantized && turns.Count > GetRescoreCount(_count) ? ScoreQuantized(turns, index) : ScoreChecked(turns, index);
    }

    /// <summary>Scores one turn, by its index among the candidates; a vector of another length than the query's is skipped.</summary>
    public void Score(ReadOnlySpan<float> vector, int index)
    {
        if (vector.Length == _query.Length)
        {
            Offer(TensorPrimitives.Dot(_query, vector) * UnitVectors.GetInverseNorm(vector), index);
        }
    }

    /// <summary>Returns the kept turns of <paramref name="turns"/>, best first: the order in which the token budget keeps them.</summary>
    public Message[] GetSelectedBestFirst(IReadOnlyList<Message> turns)
    {
        Span<int> indices = _heap.Count <= 256 ? stackalloc int[_heap.Count] : new int[_heap.Count];
        _heap.CopyIndicesBestFirstTo(indices);
        var selected = new Message[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            selected[i] = turns[indices[i]];
        }

        return selected;
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

    private List<int>? ScoreEach(IReadOnlyList<Message> turns)
    {
        List<int>? unscored = null;
        for (var i = 0; i < turns.Count; i++)
        {
            var vector = turns[i].Embedding.Span;
            if (vector.Length != _query.Length)
            {
                (unscored ??= []).Add(i);
                continue;
            }

            Offer(TensorPrimitives.Dot(_query, vector) * UnitVectors.GetInverseNorm(vector), i);
        }

        return unscored;
    }

    /// <summary>The float scan: one pass over the turns, each row of the index checked (and computed when needed) as its turn is read.</summary>
    private List<int>? ScoreChecked(IReadOnlyList<Message> turns, ScanIndex index)
    {
        List<int>? unscored = null;
        var query = _query.AsSpan();
        var start = index.Reserve(turns, query.Length);
        for (var i = 0; i < turns.Count; i++)
        {
            var vector = turns[i].Embedding;
            if (vector.Length != query.Length)
            {
                (unscored ??= []).Add(i);
                continue;
            }

            Offer(TensorPrimitives.Dot(query, vector.Span) * index.InverseNormOf(start + i, vector), i);
        }

        return unscored;
    }

    private List<int>? ScoreQuantized(IReadOnlyList<Message> turns, ScanIndex index)
    {
        var dimensions = _query.Length;
        var queryCodes = new sbyte[dimensions];
        var (queryScale, queryError) = Int8Vectors.Quantize(_query, 1f, queryCodes);
        if (float.IsNaN(queryScale))
        {
            return ScoreChecked(turns, index);
        }

        var query = Int8Vectors.Widen(queryCodes);
        var count = turns.Count;
        var start = index.Reserve(turns, dimensions);
        var sources = index.Sources.Slice(start, count);
        var inverseNorms = index.InverseNorms.Slice(start, count);
        var scales = index.Scales.Slice(start, count);
        var errors = index.Errors.Slice(start, count);
        var codes = index.Codes.Slice(start * dimensions, count * dimensions);
        var firstPass = new TopKHeap(GetRescoreCount(_count));

        // Each turn's highest possible exact score, or NaN when it cannot be kept (or was scored exactly already).
        var upperBounds = ArrayPool<float>.Shared.Rent(count);
        List<int>? unscored = null;
        try
        {
            // The scan proper: each turn's row checked (computed when it describes another vector) and its int8 dot product,
            // in order over the codes; NaN for a zero vector.
            for (var i = 0; i < count; i++)
            {
                var vector = turns[i].Embedding;
                if (vector.Length != dimensions)
                {
                    (unscored ??= []).Add(i);
                    upperBounds[i] = float.NaN;
                    continue;
                }

                index.InverseNormOf(start + i, vector);
                upperBounds[i] = queryScale * scales[i] * Int8Vectors.Dot(codes.Slice(i * dimensions, dimensions), query);
            }

            var floor = float.NegativeInfinity;
            for (var i = 0; i < count; i++)
            {
                var approximate = upperBounds[i];
                upperBounds[i] = float.NaN;
                if (float.IsNaN(approximate))
                {
                    continue;
                }

                var bound = errors[i] + queryError + (3 * errors[i] * queryError) + RoundingSlack;
                if (!(approximate + bound >= _threshold))
                {
                    continue;
                }

                // Within the error bound of the threshold: decided by the exact cosine.
                if (approximate - bound < _threshold && !(ExactSimilarity(sources[i].Span, inverseNorms[i]) >= _threshold))
                {
                    continue;
                }

                var recency = _recencyWeight * (i * _recencyStep);
                upperBounds[i] = (_similarityWeight * (approximate + bound)) + recency;
                var score = (_similarityWeight * approximate) + recency;
                if (score >= floor)
                {
                    firstPass.Offer(score, i);
                    floor = firstPass.Floor;
                }
            }

            Span<int> shortlist = firstPass.Count <= 256 ? stackalloc int[firstPass.Count] : new int[firstPass.Count];
            shortlist = shortlist[..firstPass.CopySortedIndicesTo(shortlist)];
            foreach (var i in shortlist)
            {
                Offer(ExactSimilarity(sources[i].Span, inverseNorms[i]), i);
                upperBounds[i] = float.NaN;
            }

            // Any other turn that could still beat the worst kept one is scored exactly too: the result is the exact ranking's.
            Rescored = shortlist.Length;
            floor = _heap.Floor;
            for (var i = 0; i < count; i++)
            {
                if (upperBounds[i] >= floor)
                {
                    Offer(ExactSimilarity(sources[i].Span, inverseNorms[i]), i);
                    floor = _heap.Floor;
                    Rescored++;
                }
            }
        }

        finally
        {
            ArrayPool<float>.Shared.Return(upperBounds);
        }

        return unscored;
    }

    private float ExactSimilarity(ReadOnlySpan<float> vector, float inverseNorm) => TensorPrimitives.Dot(_query, vector) * inverseNorm;

    private void Offer(float similarity, int index)
    {
        if (similarity >= _threshold)
        {
            // Below the worst kept score a turn cannot be kept; the heap decides the rest, ties included.
            var score = (_similarityWeight * similarity) + (_recencyWeight * (index * _recencyStep));
            if (score >= _floor)
            {
                _heap.Offer(score, index);
                _floor = _heap.Floor;
            }
        }
    }
}
