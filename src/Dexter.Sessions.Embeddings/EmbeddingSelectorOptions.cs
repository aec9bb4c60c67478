namespace Dexter.Sessions.Embeddings;

/// <summary>Settings of <see cref="EmbeddingMessageSelector"/>; by default 0.7 · cosine + 0.3 · recency over the latest 1,000 turns, threshold 0.3.</summary>
/// <remarks>
/// A past turn is kept when the cosine similarity of its embedding to the query's is at least <see cref="SimilarityThreshold"/>;
/// kept turns are ranked by <c><see cref="SimilarityWeight"/> · cosine + <see cref="RecencyWeight"/> · recency</c>, where recency
/// grows linearly from 0 for the oldest candidate to 1 for the latest. Values are validated when the application starts.
/// </remarks>
public sealed class EmbeddingSelectorOptions
{
    /// <summary>The default of <see cref="SimilarityWeight"/>.</summary>
    public const double DefaultSimilarityWeight = 0.7;

    /// <summary>The default of <see cref="RecencyWeight"/>.</summary>
    public const double DefaultRecencyWeight = 0.3;

    /// <summary>The default of <see cref="SimilarityThreshold"/>.</summary>
    public const double DefaultSimilarityThreshold = 0.3;

    /// <summary>The default of <see cref="MaxCandidates"/>.</summary>
    public const int DefaultMaxCandidates = 1000;

    /// <summary>Gets or sets the weight of the cosine similarity in a turn's score.</summary>
    /// <value>A finite number of at least 0; the default is 0.7.</value>
    public double SimilarityWeight { get; set; } = DefaultSimilarityWeight;

    /// <summary>Gets or sets the weight of a turn's recency in its score.</summary>
    /// <value>A finite number of at least 0; the default is 0.3. <see cref="SimilarityWeight"/> and this weight cannot both be 0.</value>
    public double RecencyWeight { get; set; } = DefaultRecencyWeight;

    /// <summary>Gets or sets the least cosine similarity a past turn needs to be selected.</summary>
    /// <value>Between -1 and 1; the default is 0.3. When no turn reaches it, the latest turns are used.</value>
    public double SimilarityThreshold { get; set; } = DefaultSimilarityThreshold;

    /// <summary>Gets or sets how many of the latest turns of a session are read from the store and scored at most.</summary>
    /// <value>At least 1; the default is 1,000. Older turns are never selected.</value>
    public int MaxCandidates { get; set; } = DefaultMaxCandidates;

    /// <summary>Gets or sets how long one call to the embedding generator may take before the selector falls back to the latest turns.</summary>
    /// <value>Positive, or <see cref="Timeout.InfiniteTimeSpan"/> for no limit; the default is 10 seconds.</value>
    public TimeSpan EmbeddingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets whether the scan over the candidates reads int8 copies of their vectors first and re-scores only the best exactly.</summary>
    /// <value>
    /// <see langword="false"/> by default: every candidate is scored from its float vector. When <see langword="true"/>, each vector
    /// is quantized to int8 with a scale of its own the first time it is scanned, and the copy is kept in memory with the
    /// session's scan index (one byte per dimension plus 12 bytes per turn, for the 16 sessions queried last). A first pass
    /// over the copies keeps the best <c>max(4 · k, 32)</c> candidates, which are scored from their float vectors, and so is
    /// any other candidate that the bound of its quantization error does not rule out: the selected turns are exactly those of
    /// the float scan, and the threshold is applied to exact cosines. It pays off when the same turns are scanned again (a
    /// <see cref="MessageHistory"/>, the in-memory store) over thousands of candidates; a store that returns new vector arrays
    /// on every read gets every vector quantized on every query, which is slower than the float scan.
    /// </value>
    public bool UseQuantizedScan { get; set; }
}
