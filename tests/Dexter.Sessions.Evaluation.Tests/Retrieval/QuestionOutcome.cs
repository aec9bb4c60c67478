using Dexter.Sessions.Evaluation.Tests.Conversations;

namespace Dexter.Sessions.Evaluation.Tests.Retrieval;

/// <summary>What the model received for one question.</summary>
/// <param name="Kind">The question's kind.</param>
/// <param name="Served">Whether every evidence turn was in the context.</param>
/// <param name="StaleOnly">For a <see cref="QuestionKind.LatestValue"/> question: an older value's turn was in the context and the latest was not.</param>
/// <param name="FactsInSummaries">Whether each evidence turn's stored summary (what embedding selectors embed) states its fact.</param>
/// <param name="ContextTokens">The tokens of the context (everything before the question), counted as the budget counts them.</param>
/// <param name="ContextTurns">How many past turns the context held.</param>
/// <param name="Milliseconds">The time to begin the turn (read, select, build the context) and hand it to the model.</param>
internal sealed record QuestionOutcome(QuestionKind Kind, bool Served, bool StaleOnly, bool FactsInSummaries, int ContextTokens, int ContextTurns, double Milliseconds);
