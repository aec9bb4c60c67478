using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Dexter.Sessions;

/// <summary>
/// The default <see cref="IRollingSummarizer"/>: no model, deterministic. The summary is one line per folded turn,
/// <c>#id summary</c> (the turn's own summary, else <c>query → answer</c> cut short), oldest first.
/// </summary>
/// <remarks>
/// When the lines do not fit the token limit, the oldest lines are shortened first — to what the user said (the part before
/// <c>→</c>), at most <see cref="ShortLineTokens"/> tokens — and only when every line is short are the oldest lines dropped. The
/// user's own words are what later questions refer to; the newest folded turns keep the most detail, and every line keeps its turn id.
/// </remarks>
public sealed class ExtractiveRollingSummarizer : IRollingSummarizer
{
    /// <summary>How many tokens a line is shortened to before lines are dropped.</summary>
    public const int ShortLineTokens = 24;

    private readonly Tokenizer _tokenizer;

    /// <summary>Initializes the summarizer.</summary>
    /// <param name="tokenizer">The tokenizer that counts the limit; Tiktoken <c>o200k_base</c> when <see langword="null"/>.</param>
    public ExtractiveRollingSummarizer(Tokenizer? tokenizer = null) => _tokenizer = tokenizer ?? ContextBudget.DefaultTokenizer;

    /// <inheritdoc />
    public ValueTask<string> FoldAsync(string? previousSummary, IReadOnlyList<Message> turns, int maxTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        cancellationToken.ThrowIfCancellationRequested();
        return new(Fold(previousSummary, turns, maxTokens));
    }

    /// <summary>Folds turns into a summary synchronously.</summary>
    /// <param name="previousSummary">The summary so far, or <see langword="null"/>.</param>
    /// <param name="turns">The turns to add, oldest first.</param>
    /// <param name="maxTokens">How many tokens the summary may take.</param>
    /// <returns>The summary: one line per turn, within <paramref name="maxTokens"/>.</returns>
    public string Fold(string? previousSummary, IReadOnlyList<Message> turns, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var lines = new List<string>();
        if (!string.IsNullOrWhiteSpace(previousSummary))
        {
            lines.AddRange(previousSummary.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        foreach (var turn in turns)
        {
            var text = string.IsNullOrWhiteSpace(turn.Summary) ? TruncatingSummarizer.Summarize(turn.Query, turn.Answer) : turn.Summary;
            lines.Add("#" + turn.Id.ToString(CultureInfo.InvariantCulture) + " " + OneLine(text));
        }

        var joined = string.Join('\n', lines);
        if (_tokenizer.CountTokens(joined) <= maxTokens)
        {
            return joined; // fits: no line needs counting on its own
        }

        var counts = lines.Select(line => _tokenizer.CountTokens(line) + 1).ToList(); // + the line break
        var total = counts.Sum();
        var shortened = 0; // lines before this index are short already
        while (total > maxTokens && lines.Count > 0)
        {
            while (shortened < lines.Count && IsShort(lines[shortened], counts[shortened]))
            {
                shortened++;
            }

            if (shortened < lines.Count - 1)
            {
                // The oldest line that is still long becomes short; the newest line keeps its detail longest.
                var cut = Shorten(lines[shortened]);
                total += _tokenizer.CountTokens(cut) + 1 - counts[shortened];
                lines[shortened] = cut;
                counts[shortened] = _tokenizer.CountTokens(cut) + 1;
                shortened++;
            }
            else if (lines.Count > 1)
            {
                total -= counts[0];
                lines.RemoveAt(0);
                counts.RemoveAt(0);
                shortened = Math.Max(0, shortened - 1);
            }
            else
            {
                lines[0] = ContextBudget.Cut(_tokenizer, lines[0], maxTokens - 1, "…");
                break;
            }
        }

        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            builder.Append(line).Append('\n');
        }

        return builder.ToString().TrimEnd('\n');
    }

    /// <summary>A line is short when it holds only what the user said, within <see cref="ShortLineTokens"/> tokens.</summary>
    private static bool IsShort(string line, int count) =>
        count <= ShortLineTokens + 1 && !line.Contains(" → ", StringComparison.Ordinal);

    private string Shorten(string line)
    {
        var arrow = line.IndexOf(" → ", StringComparison.Ordinal);
        var said = arrow > 0 ? line[..arrow] : line;
        return _tokenizer.CountTokens(said) <= ShortLineTokens ? said : ContextBudget.Cut(_tokenizer, said, ShortLineTokens, "…");
    }

    private static string OneLine(string text) =>
        text.Trim().Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');
}
