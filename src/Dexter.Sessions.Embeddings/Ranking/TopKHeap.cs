namespace Dexter.Sessions.Embeddings;

/// <summary>
/// Keeps the <c>k</c> best (score, index) pairs offered to it in a bounded min-heap: O(k) memory, O(log k) per offer,
/// with no sort of every score. A higher score wins; between equal scores the higher (more recent) index wins.
/// </summary>
internal sealed class TopKHeap
{
    private readonly float[] _scores;
    private readonly int[] _indices;

    public TopKHeap(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _scores = new float[capacity];
        _indices = new int[capacity];
    }

    /// <summary>Gets how many pairs are kept.</summary>
    public int Count { get; private set; }

    /// <summary>Offers a pair; it is kept when the heap is not full or when it beats the worst kept pair.</summary>
    public void Offer(float score, int index)
    {
        if (Count < _scores.Length)
        {
            var child = Count++;
            while (child > 0)
            {
                var parent = (child - 1) >> 1;
                if (!IsWorse(score, index, _scores[parent], _indices[parent]))
                {
                    break;
                }

                _scores[child] = _scores[parent];
                _indices[child] = _indices[parent];
                child = parent;
            }

            _scores[child] = score;
            _indices[child] = index;
            return;
        }

        if (!IsWorse(_scores[0], _indices[0], score, index))
        {
            return;
        }

        var position = 0;
        while (true)
        {
            var smallest = position;
            var left = (position << 1) + 1;
            var right = left + 1;
            var smallestScore = score;
            var smallestIndex = index;
            if (left < Count && IsWorse(_scores[left], _indices[left], smallestScore, smallestIndex))
            {
                smallest = left;
                smallestScore = _scores[left];
                smallestIndex = _indices[left];
            }

            if (right < Count && IsWorse(_scores[right], _indices[right], smallestScore, smallestIndex))
            {
                smallest = right;
                smallestScore = _scores[right];
                smallestIndex = _indices[right];
            }

            if (smallest == position)
            {
                break;
            }

            _scores[position] = smallestScore;
            _indices[position] = smallestIndex;
            position = smallest;
        }

        _scores[position] = score;
        _indices[position] = index;
    }

    /// <summary>Copies the kept indices into <paramref name="destination"/> in ascending order.</summary>
    /// <returns>How many indices were copied.</returns>
    public int CopySortedIndicesTo(Span<int> destination)
    {
        var kept = _indices.AsSpan(0, Count);
        kept.CopyTo(destination);
        destination[..Count].Sort();
        return Count;
    }

    private static bool IsWorse(float score, int index, float otherScore, int otherIndex) =>
        score < otherScore || (score == otherScore && index < otherIndex);
}
