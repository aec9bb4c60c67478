namespace Dexter.Sessions;

/// <summary>Settings of <see cref="RelevanceMessageSelector"/>, the default selection.</summary>
/// <remarks>
/// <para>Each turn of the session is scored <c>(1 − <see cref="RecencyWeight"/>) · relevance + <see cref="RecencyWeight"/> · recency</c>,
/// where relevance is <c>(<see cref="LexicalWeight"/> · lexical + <see cref="VectorWeight"/> · vector) / (the weights in use)</c>:
/// lexical is the turn's BM25 against the query divided by the session's best, vector the turn's cosine similarity to the query
/// above the session's mean divided by the best's (used only when an embedding generator is registered), and recency grows
/// linearly from 0 for the oldest turn to 1 for the latest.</para>
/// <para>Values are validated when the application starts; they are bound from <c>Dexter:Sessions:Relevance</c>.</para>
/// </remarks>
public sealed class RelevanceSelectorOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Dexter:Sessions:Relevance";

    /// <summary>The default of <see cref="AlwaysIncludeLatest"/>.</summary>
    public const int DefaultAlwaysIncludeLatest = 2;

    /// <summary>The default of <see cref="LexicalWeight"/>.</summary>
    public const double DefaultLexicalWeight = 0.3;

    /// <summary>The default of <see cref="VectorWeight"/>.</summary>
    public const double DefaultVectorWeight = 0.7;

    /// <summary>The default of <see cref="RecencyWeight"/>.</summary>
    public const double DefaultRecencyWeight = 0.1;

    /// <summary>The default of <see cref="MaxEmbeddedPerQuery"/>.</summary>
    public const int DefaultMaxEmbeddedPerQuery = 256;

    /// <summary>Gets or sets how many of the latest turns come first whatever their score, so the conversation keeps its thread.</summary>
    /// <value>At least 0; the default is 2.</value>
    public int AlwaysIncludeLatest { get; set; } = DefaultAlwaysIncludeLatest;

    /// <summary>Gets or sets the weight of lexical relevance (BM25) in a turn's relevance.</summary>
    /// <value>A finite number of at least 0; the default is 0.3.</value>
    public double LexicalWeight { get; set; } = DefaultLexicalWeight;

    /// <summary>Gets or sets the weight of vector similarity in a turn's relevance, when an embedding generator is registered.</summary>
    /// <value>A finite number of at least 0; the default is 0.7. With 0, no vector is computed.</value>
    public double VectorWeight { get; set; } = DefaultVectorWeight;

    /// <summary>Gets or sets the weight of a turn's recency in its score, against its relevance.</summary>
    /// <value>Between 0 and 1; the default is 0.1, so that among turns of equal or nearly equal relevance the newer ones come first.</value>
    public double RecencyWeight { get; set; } = DefaultRecencyWeight;

    /// <summary>Gets or sets how many turns a selection returns at most.</summary>
    /// <value>At least 1, or <see langword="null"/> (the default): every turn is ranked and the token budget
    /// (<see cref="DexterSessionsOptions.MaxContextTokens"/>) decides how many the model receives.</value>
    public int? MaxTurns { get; set; }

    /// <summary>Gets or sets how many turns recorded without a vector (before a generator was registered, or when it failed) one
    /// query embeds at most; the vectors are stored, so each turn is embedded once.</summary>
    /// <value>At least 0; the default is 256. Turns left without a vector are ranked by their lexical relevance and recency.</value>
    public int MaxEmbeddedPerQuery { get; set; } = DefaultMaxEmbeddedPerQuery;

    /// <summary>Gets or sets how long one call to the embedding generator may take before the query is ranked without vectors.</summary>
    /// <value>Positive, or <see cref="Timeout.InfiniteTimeSpan"/> for no limit; the default is 10 seconds.</value>
    public TimeSpan EmbeddingTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
