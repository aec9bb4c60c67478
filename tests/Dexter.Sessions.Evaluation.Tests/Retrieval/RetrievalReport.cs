using System.Globalization;
using System.Text;
using Dexter.Sessions.Evaluation.Tests.Conversations;

namespace Dexter.Sessions.Evaluation.Tests.Retrieval;

/// <summary>Formats the evaluation's results as the Markdown tables of benchmarks/results/retrieval.md.</summary>
internal static class RetrievalReport
{
    /// <summary>The budget of the per-kind table.</summary>
    public const int DetailBudget = 2_000;

    public static string Format(IReadOnlyList<RetrievalResult> results, IReadOnlyList<Conversation> conversations)
    {
        var budgets = results.Select(r => r.Budget).Distinct().Order().ToList();
        var names = results.Select(r => r.Configuration).Distinct().ToList();
        var kinds = Enum.GetValues<QuestionKind>();
        RetrievalResult Find(string name, int budget) => results.Single(r => r.Configuration == name && r.Budget == budget);

        var questions = conversations.SelectMany(c => c.Questions).ToList();
        var counts = string.Join(", ", kinds.Select(k => Invariant($"{questions.Count(q => q.Kind == k)} {Label(k)}")));
        var report = new StringBuilder();
        report.AppendLine(Invariant(
            $"{conversations.Count} conversations, {conversations.Sum(c => c.Turns.Count):N0} turns ({conversations.Min(c => c.Turns.Count)}–{conversations.Max(c => c.Turns.Count)} each), {questions.Count} questions: {counts}."));
        report.AppendLine();
        report.AppendLine("Served: every evidence turn of the question was in what the model received.");
        report.AppendLine();
        report.AppendLine("| configuration | " + string.Join(" | ", budgets.Select(b => Invariant($"{b:N0} tokens")))
            + Invariant($" | at {DetailBudget:N0}: ") + string.Join(" | ", kinds.Select(Label)) + " | stale only | facts in summaries | not in summaries |");
        report.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", budgets.Count + kinds.Length + 3)));
        foreach (var name in names)
        {
            var detail = Find(name, DetailBudget);
            report.AppendLine(Invariant($"| {name} | ") + string.Join(" | ", budgets.Select(b => Percent(Find(name, b).Served))) + " | "
                + string.Join(" | ", kinds.Select(k => Percent(detail.ServedOf(k))))
                + Invariant($" | {Percent(detail.StaleOnly)} | {Percent(detail.ServedWhereFactsInSummaries(true))} | {Percent(detail.ServedWhereFactsInSummaries(false))} |"));
        }

        report.AppendLine();
        var inSummaries = results[0].Outcomes.Count(o => o.FactsInSummaries);
        report.AppendLine(Invariant($"Stale only: a latest-value question whose context held an older value and not the latest. Facts in summaries: the {inSummaries} questions whose facts are all in their turns' stored summaries (the text embedding selectors embed), against the {questions.Count - inSummaries} others."));
        report.AppendLine();
        report.AppendLine("Cost: the context's average tokens and past turns, the time to begin a question's turn (read, select, build the context), and to record a turn.");
        report.AppendLine();
        report.AppendLine("| configuration | " + string.Join(" | ", budgets.Select(b => Invariant($"tokens at {b:N0}"))) + " | "
            + string.Join(" | ", budgets.Select(b => Invariant($"turns at {b:N0}"))) + " | "
            + string.Join(" | ", budgets.Select(b => Invariant($"ms/question at {b:N0}"))) + " | ms/recorded turn |");
        report.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", (budgets.Count * 3) + 1)));
        foreach (var name in names)
        {
            report.AppendLine(Invariant($"| {name} | ")
                + string.Join(" | ", budgets.Select(b => Invariant($"{Find(name, b).AverageTokens:N0}"))) + " | "
                + string.Join(" | ", budgets.Select(b => Invariant($"{Find(name, b).AverageTurns:0.0}"))) + " | "
                + string.Join(" | ", budgets.Select(b => Invariant($"{Find(name, b).MillisecondsPerQuestion:0.00}"))) + " | "
                + Invariant($"{Find(name, budgets[0]).MillisecondsPerRecordedTurn:0.00} |"));
        }

        return report.ToString();
    }

    public static string Label(QuestionKind kind) => kind switch
    {
        QuestionKind.SingleFact => "single fact",
        QuestionKind.TwoFacts => "two facts",
        QuestionKind.When => "when",
        QuestionKind.LatestValue => "latest value",
        _ => kind.ToString(),
    };

    private static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
