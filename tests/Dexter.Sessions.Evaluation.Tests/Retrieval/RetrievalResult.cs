using Dexter.Sessions.Evaluation.Tests.Conversations;

namespace Dexter.Sessions.Evaluation.Tests.Retrieval;

/// <summary>The outcome of one configuration at one budget over every conversation.</summary>
/// <param name="Configuration">The configuration's name.</param>
/// <param name="Budget">The context budget (<see cref="DexterSessionsOptions.MaxContextTokens"/>).</param>
/// <param name="Outcomes">One outcome per question.</param>
/// <param name="RecordedTurns">How many turns were recorded (once for every budget of the configuration).</param>
/// <param name="RecordingMilliseconds">The time spent recording them.</param>
internal sealed record RetrievalResult(string Configuration, int Budget, IReadOnlyList<QuestionOutcome> Outcomes, int RecordedTurns, double RecordingMilliseconds)
{
    /// <summary>Gets the share of questions whose evidence was all in the context.</summary>
    public double Served => Share(Outcomes);

    /// <summary>Gets the average context, in tokens.</summary>
    public double AverageTokens => Outcomes.Average(o => o.ContextTokens);

    /// <summary>Gets the average number of past turns in the context.</summary>
    public double AverageTurns => Outcomes.Average(o => o.ContextTurns);

    /// <summary>Gets the largest context, in tokens.</summary>
    public int MaxTokens => Outcomes.Max(o => o.ContextTokens);

    /// <summary>Gets the average time per question.</summary>
    public double MillisecondsPerQuestion => Outcomes.Average(o => o.Milliseconds);

    /// <summary>Gets the average time to record a turn.</summary>
    public double MillisecondsPerRecordedTurn => RecordingMilliseconds / RecordedTurns;

    /// <summary>Gets the share of questions of <paramref name="kind"/> whose evidence was all in the context.</summary>
    public double ServedOf(QuestionKind kind) => Share(Outcomes.Where(o => o.Kind == kind).ToList());

    /// <summary>Gets the share of questions served among those whose facts are (or are not) in their turns' stored summaries.</summary>
    public double ServedWhereFactsInSummaries(bool inSummaries) => Share(Outcomes.Where(o => o.FactsInSummaries == inSummaries).ToList());

    /// <summary>Gets the share of latest-value questions given an older value without the latest one.</summary>
    public double StaleOnly => Outcomes.Where(o => o.Kind == QuestionKind.LatestValue).Average(o => o.StaleOnly ? 1.0 : 0.0);

    private static double Share(IReadOnlyCollection<QuestionOutcome> outcomes) => outcomes.Count == 0 ? 0 : (double)outcomes.Count(o => o.Served) / outcomes.Count;
}
