namespace Dexter.Sessions;

/// <summary>How the past turns given to the model are chosen, when the application registers no <see cref="IMessageSelector"/> of its own.</summary>
public enum SessionSelection
{
    /// <summary>
    /// The default: every turn of the session ranked by relevance to the query — lexical (BM25), fused with vector similarity when an
    /// embedding generator is registered — and a small recency prior, filling the token budget best first
    /// (<see cref="RelevanceMessageSelector"/>).
    /// </summary>
    Relevance,

    /// <summary>The latest <see cref="DexterSessionsOptions.MaxContextMessages"/> turns (<see cref="RecentMessageSelector"/>).</summary>
    Recent,

    /// <summary>
    /// Embedding similarity over a candidate window: <c>0.7 · cosine + 0.3 · recency</c> over the latest 1,000 turns, threshold 0.3
    /// (package Dexter.Sessions.Embeddings, with <c>UseEmbeddingSelectorWhenConfigured()</c>).
    /// </summary>
    Embeddings,
}
