namespace Dexter.Sessions;

/// <summary>
/// Per-session state kept between queries (a session's turns, its lexical index), bounded by a total weight (turns): when an entry
/// grows the total past the bound, the sessions used least recently leave first. Thread-safe.
/// </summary>
/// <typeparam name="T">The state of one session.</typeparam>
internal sealed class BoundedSessionCache<T>
    where T : class
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly long _maxWeight;
    private long _totalWeight;
    private long _clock;

    /// <summary>Initializes a cache.</summary>
    /// <param name="maxWeight">The most the entries may weigh together; an entry heavier than this alone is not kept.</param>
    public BoundedSessionCache(long maxWeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxWeight);
        _maxWeight = maxWeight;
    }

    /// <summary>Gets the number of sessions held.</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Gets the total weight held.</summary>
    public long TotalWeight
    {
        get
        {
            lock (_entries)
            {
                return _totalWeight;
            }
        }
    }

    /// <summary>Returns the state of <paramref name="sessionId"/>, marking it used; <see langword="null"/> when none is held.</summary>
    public T? Get(string sessionId)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(sessionId, out var entry))
            {
                entry.LastUsed = ++_clock;
                return entry.Value;
            }

            return null;
        }
    }

    /// <summary>Keeps <paramref name="value"/> as the state of <paramref name="sessionId"/> with its weight, evicting the least recently used sessions over the bound.</summary>
    public void Set(string sessionId, T value, long weight)
    {
        lock (_entries)
        {
            if (_entries.Remove(sessionId, out var old))
            {
                _totalWeight -= old.Weight;
            }

            if (weight > _maxWeight)
            {
                return;
            }

            _entries[sessionId] = new Entry(value, weight) { LastUsed = ++_clock };
            _totalWeight += weight;
            while (_totalWeight > _maxWeight && _entries.Count > 1)
            {
                var oldest = _entries.Where(e => !ReferenceEquals(e.Key, sessionId)).MinBy(static e => e.Value.LastUsed);
                _entries.Remove(oldest.Key);
                _totalWeight -= oldest.Value.Weight;
            }
        }
    }

    /// <summary>Updates the weight of the state held for <paramref name="sessionId"/>, when it is still <paramref name="value"/>.</summary>
    public void UpdateWeight(string sessionId, T value, long weight)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(sessionId, out var entry) || !ReferenceEquals(entry.Value, value))
            {
                return;
            }
        }

        Set(sessionId, value, weight);
    }

    /// <summary>Drops the state of <paramref name="sessionId"/>.</summary>
    public void Remove(string sessionId)
    {
        lock (_entries)
        {
            if (_entries.Remove(sessionId, out var old))
            {
                _totalWeight -= old.Weight;
            }
        }
    }

    private sealed class Entry(T value, long weight)
    {
        public T Value { get; } = value;

        public long Weight { get; } = weight;

        public long LastUsed { get; set; }
    }
}
