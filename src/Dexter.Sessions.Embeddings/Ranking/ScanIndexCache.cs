namespace Dexter.Sessions.Embeddings;

/// <summary>
/// The <see cref="ScanIndex"/> of the sessions queried most recently, at most <see cref="Capacity"/>; the least recently
/// used one is dropped first. Turns of a history without a session id share one index (correct, but rebuilt whenever
/// another such history is queried). Thread-safe.
/// </summary>
internal sealed class ScanIndexCache
{
    /// <summary>How many sessions keep an index.</summary>
    public const int Capacity = 16;

    private readonly Dictionary<string, LinkedListNode<(string Key, ScanIndex Index)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, ScanIndex Index)> _recency = new();
    private readonly bool _quantized;

    /// <summary>Initializes a cache of indexes with or without int8 codes.</summary>
    public ScanIndexCache(bool quantized) => _quantized = quantized;

    /// <summary>Returns the index of <paramref name="sessionId"/>, creating it (and dropping the least recently used) when needed.</summary>
    public ScanIndex Get(string? sessionId)
    {
        var key = sessionId ?? string.Empty;
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                return node.Value.Index;
            }

            if (_entries.Count >= Capacity)
            {
                var last = _recency.Last!;
                _recency.RemoveLast();
                _entries.Remove(last.Value.Key);
            }

            var index = new ScanIndex(_quantized);
            _entries[key] = _recency.AddFirst((key, index));
            return index;
        }
    }
}
