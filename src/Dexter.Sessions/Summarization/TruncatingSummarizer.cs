namespace Dexter.Sessions;

/// <summary>
/// The default <see cref="ISummarizer"/>: no model, the start of the query and of the answer,
/// <c>query[..60] → answer[..80]</c>.
/// </summary>
public sealed class TruncatingSummarizer : ISummarizer
{
    /// <summary>How many characters of the query a summary keeps.</summary>
    public const int QueryLength = 60;

    /// <summary>How many characters of the answer a summary keeps.</summary>
    public const int AnswerLength = 80;

    /// <summary>Gets a shared instance.</summary>
    public static TruncatingSummarizer Instance { get; } = new();

    /// <inheritdoc />
    public ValueTask<string> SummarizeAsync(string query, string answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(answer);
        return new(Summarize(query, answer));
    }

    /// <summary>Summarizes one turn synchronously.</summary>
    /// <param name="query">The user's query.</param>
    /// <param name="answer">The agent's answer.</param>
    /// <returns><c>query[..60] → answer[..80]</c>, with line breaks folded into spaces.</returns>
    public static string Summarize(string query, string answer)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(answer);
        return Cut(query, QueryLength) + " → " + Cut(answer, AnswerLength);
    }

    private static string Cut(string text, int length)
    {
        var trimmed = TextCut.Prefix(text.AsSpan().Trim(), length); // never splits a surrogate pair

        return string.Create(trimmed.Length, trimmed.ToString(), static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is '\r' or '\n' or '\t' ? ' ' : source[i];
            }
        });
    }
}
