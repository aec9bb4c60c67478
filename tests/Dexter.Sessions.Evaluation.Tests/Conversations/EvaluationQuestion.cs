namespace Dexter.Sessions.Evaluation.Tests.Conversations;

/// <summary>A question asked at the end of a conversation, with the turns that hold its answer.</summary>
/// <param name="Kind">What it asks.</param>
/// <param name="Text">The question.</param>
/// <param name="Evidence">The turns it needs, every one of them.</param>
/// <param name="StaleTurnIds">For <see cref="QuestionKind.LatestValue"/>: the turns with the fact's older values, which do not answer it.</param>
/// <param name="AnswerDate">For <see cref="QuestionKind.When"/>: the date of the evidence turn.</param>
internal sealed record EvaluationQuestion(
    QuestionKind Kind, string Text, IReadOnlyList<Evidence> Evidence, IReadOnlyList<int> StaleTurnIds, DateOnly? AnswerDate);
