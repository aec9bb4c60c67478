namespace Dexter.Sessions;

/// <summary>Settings of <see cref="LexicalMessageSelector"/>.</summary>
/// <remarks>
/// Each candidate turn is scored <c>(1 − <see cref="RecencyWeight"/>) · bm25 / best bm25 + <see cref="RecencyWeight"/> · recency</c>,
/// where recency grows linearly from 0 for the oldest candidate to 1 for the latest. Values are validated when the application starts.
/// </remarks>
public sealed class LexicalSelectorOptions
{
    /// <summary>The default of <see cref="AlwaysIncludeLatest"/>.</summary>
    public const int DefaultAlwaysIncludeLatest = 2;

    /// <summary>The default of <see cref="MaxCandidates"/>.</summary>
    public const int DefaultMaxCandidates = 1000;

    /// <summary>The default of <see cref="RecencyWeight"/>.</summary>
    public const double DefaultRecencyWeight = 0.1;

    /// <summary>Gets or sets how many of the latest turns are selected whatever their score, so the conversation keeps its thread.</summary>
    /// <value>At least 0; the default is 2. At most <see cref="MessageSelectionContext.MaxMessages"/> of them are used.</value>
    public int AlwaysIncludeLatest { get; set; } = DefaultAlwaysIncludeLatest;

    /// <summary>Gets or sets how many of the latest turns of a session are read from the store and scored at most.</summary>
    /// <value>At least 1; the default is 1,000. Older turns are never selected.</value>
    public int MaxCandidates { get; set; } = DefaultMaxCandidates;

    /// <summary>Gets or sets the weight of a turn's recency in its score, against its normalized BM25 score.</summary>
    /// <value>Between 0 and 1; the default is 0.1, so that among turns of equal or nearly equal relevance the newer ones are kept.</value>
    public double RecencyWeight { get; set; } = DefaultRecencyWeight;
}
