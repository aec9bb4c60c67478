namespace Dexter.Sessions.Embeddings;

/// <summary>
/// Keeps the <c>k</c> best (score, index) pairs offered to it in a bounded min-heap (<see cref="PriorityQueue{TElement, TPriority}"/>):
/// O(k) memory, O(log k) per offer, with no sort of every score. A higher score wins; between equal scores the higher
/// (more recent) index wins.
/// </summary>
internal sealed class TopKHeap
{
    // The worst kept pair at the root: lower score first, then lower index.
    private static readonly Comparer<(float Score, int Index)> WorstFirst = Comparer<(float Score, int Index)>.Create(
        static (a, b) => a.Score < b.Score ? -1 : a.Score > b.Score ? 1 : a.Index.CompareTo(b.Index));

    private readonly PriorityQueue<int, (float Score, int Index)> _queue;
    private readonly int _capacity;

    public TopKHeap(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _queue = new PriorityQueue<int, (float Score, int Index)>(capacity, WorstFirst);
    }

    /// <summary>Gets how many pairs are kept.</summary>
    public int Count => _queue.Count;

    /// <summary>Gets the score a new pair must reach to be kept: the worst kept score when the heap is full, else negative infinity.</summary>
    public float Floor => _queue.Count == _capacity && _queue.TryPeek(out _, out var worst) ? worst.Score : float.NegativeInfinity;

    /// <summary>Offers a pair; it is kept when the heap is not full or when it beats the worst kept pair.</summary>
    public void Offer(float score, int index)
    {
        if (_queue.Count < _capacity)
        {
            _queue.Enqueue(index, (score, index));
        }
        else if (_queue.TryPeek(out _, out var worst) && WorstFirst.Compare(worst, (score, index)) < 0)
        {
            _queue.DequeueEnqueue(index, (score, index));
        }
    }

    /// <summary>Copies the kept indices into <paramref name="destination"/> in ascending order.</summary>
    /// <returns>How many indices were copied.</returns>
    public int CopySortedIndicesTo(Span<int> destination)
    {
        var count = 0;
        foreach (var (index, _) in _queue.UnorderedItems)
        {
            destination[count++] = index;
        }

        destination[..count].Sort();
        return count;
    }

    /// <summary>Copies the kept indices into <paramref name="destination"/>, best first (higher score, then more recent).</summary>
    /// <returns>How many indices were copied.</returns>
    public int CopyIndicesBestFirstTo(Span<int> destination)
    {
        var pairs = new (float Score, int Index)[_queue.Count];
        var count = 0;
        foreach (var (_, priority) in _queue.UnorderedItems)
        {
            pairs[count++] = priority;
        }

        Array.Sort(pairs, static (a, b) => WorstFirst.Compare(b, a));
        for (var i = 0; i < count; i++)
        {
            destination[i] = pairs[i].Index;
        }

        return count;
    }
}
