namespace Dexter.Sessions;

/// <summary>Why a selector ranked a turn where it did: the parts of its score.</summary>
/// <param name="Score">The score the turn was ranked by; higher is more relevant.</param>
/// <param name="Lexical">The turn's lexical relevance to the query (BM25 divided by the best turn's), from 0 to 1.</param>
/// <param name="Vector">The turn's vector similarity to the query (above the session's mean, divided by the best turn's), from 0
/// to 1; <see langword="null"/> when no vector was compared.</param>
/// <param name="Recency">The turn's recency, from 0 for the oldest turn to 1 for the latest.</param>
/// <param name="Pinned">Whether the turn came first as one of the latest turns, whatever its score.</param>
public readonly record struct TurnRelevance(double Score, double Lexical, double? Vector, double Recency, bool Pinned);
