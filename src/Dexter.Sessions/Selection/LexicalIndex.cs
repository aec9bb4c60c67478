namespace Dexter.Sessions;

/// <summary>
/// The Okapi BM25 statistics of one session's turns, kept incrementally: an inverted index (term → the turns that hold it, with
/// the term's count in each), each turn's length and their sum. A turn is added once; a query walks only the postings of its
/// own terms, so it costs what those terms occur, not what the session holds.
/// </summary>
/// <remarks>Not thread-safe: the owner locks it.</remarks>
internal sealed class LexicalIndex
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly Dictionary<string, List<Posting>> _postings = new(StringComparer.Ordinal);
    private readonly List<int> _lengths = [];
    private readonly List<string> _terms = [];
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly List<(int Id, long Ticks)> _keys = [];
    private long _totalLength;

    /// <summary>Gets how many turns are indexed: the first <see cref="Count"/> turns of the session, in order.</summary>
    public int Count => _lengths.Count;

    /// <summary>Gets an estimate of the bytes the index holds, for the cache's bound.</summary>
    public long EstimatedBytes { get; private set; }

    /// <summary>
    /// Tells whether the index and <paramref name="turns"/> are the same session, one a prefix of the other: the same first turn,
    /// and the same turn where the shorter ends.
    /// </summary>
    public bool IsConsistentWith(IReadOnlyList<Message> turns)
    {
        var shorter = Math.Min(Count, turns.Count);
        return shorter == 0 || (Matches(turns[0], 0) && Matches(turns[shorter - 1], shorter - 1));
    }

    private bool Matches(Message turn, int document) => _keys[document] == (turn.Id, turn.CreatedAt.UtcTicks);

    /// <summary>Indexes the turns of <paramref name="turns"/> past <see cref="Count"/>.</summary>
    public void AddFrom(IReadOnlyList<Message> turns, CancellationToken cancellationToken)
    {
        for (var i = Count; i < turns.Count; i++)
        {
            if ((i & 255) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            Add(turns[i]);
        }
    }

    private void Add(Message turn)
    {
        _terms.Clear();
        _counts.Clear();
        LexicalTerms.Add(turn.Query, _terms);
        LexicalTerms.Add(turn.Answer, _terms);
        foreach (var term in _terms)
        {
            _counts[term] = _counts.GetValueOrDefault(term) + 1;
        }

        var document = _lengths.Count;
        foreach (var (term, count) in _counts)
        {
            if (!_postings.TryGetValue(term, out var postings))
            {
                postings = [];
                _postings.Add(term, postings);
                EstimatedBytes += 64 + (2 * term.Length);
            }

            postings.Add(new Posting(document, count));
            EstimatedBytes += 8;
        }

        _keys.Add((turn.Id, turn.CreatedAt.UtcTicks));
        _lengths.Add(_terms.Count);
        _totalLength += _terms.Count;
        EstimatedBytes += 16;
    }

    /// <summary>
    /// Scores the first <paramref name="count"/> turns by the BM25 (k1 = 1.2, b = 0.75) of <paramref name="queryTerms"/> against
    /// their query and answer, the document frequencies and lengths taken over those turns.
    /// </summary>
    /// <param name="queryTerms">The query's distinct terms.</param>
    /// <param name="count">How many turns to score: at most <see cref="Count"/>.</param>
    /// <param name="scores">Receives one score per turn; turns sharing no term with the query score 0.</param>
    public void Score(IReadOnlyCollection<string> queryTerms, int count, Span<double> scores)
    {
        scores.Clear();
        if (count == 0)
        {
            return;
        }

        long totalLength = _totalLength;
        if (count < Count)
        {
            totalLength = 0;
            for (var i = 0; i < count; i++)
            {
                totalLength += _lengths[i];
            }
        }

        var averageLength = Math.Max(1.0, (double)totalLength / count);
        foreach (var term in queryTerms)
        {
            if (!_postings.TryGetValue(term, out var postings))
            {
                continue;
            }

            // Postings are in turn order: those of the first count turns are a prefix.
            var documents = postings.Count;
            while (documents > 0 && postings[documents - 1].Document >= count)
            {
                documents--;
            }

            if (documents == 0)
            {
                continue;
            }

            // The non-negative form (as in Lucene): a term found in every turn adds little, never less than nothing.
            var idf = Math.Log(1 + ((count - documents + 0.5) / (documents + 0.5)));
            for (var p = 0; p < documents; p++)
            {
                var (document, frequency) = postings[p];
                var norm = K1 * (1 - B + (B * _lengths[document] / averageLength));
                scores[document] += idf * frequency * (K1 + 1) / (frequency + norm);
            }
        }
    }

    /// <summary>The distinct terms of a query, in order of first occurrence.</summary>
    public static IReadOnlyCollection<string> QueryTerms(string query)
    {
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in LexicalTerms.Of(query))
        {
            if (seen.Add(term))
            {
                terms.Add(term);
            }
        }

        return terms;
    }

    private readonly record struct Posting(int Document, int Frequency);
}
