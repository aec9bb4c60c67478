using System.Text;

namespace Dexter.Sessions;

/// <summary>The rules of session titles: what a title may hold, and the short title made from a session's first question.</summary>
public static class SessionTitles
{
    /// <summary>The most characters a title holds, after <see cref="Normalize"/>.</summary>
    public const int MaxLength = 200;

    /// <summary>The most characters of a title made from a question (<see cref="FromQuestion"/>), its ellipsis included.</summary>
    public const int MaxQuestionTitleLength = 60;

    /// <summary>
    /// The most characters a store keeps for a title: room for a title of <see cref="MaxLength"/> characters encrypted at rest
    /// (<see cref="EncryptingSessionStore"/>), which the stores accept as it is.
    /// </summary>
    public const int MaxStoredLength = 2048;

    /// <summary>
    /// A title as it is stored: on one line, runs of white space (line breaks included) made one space, other control and
    /// format characters removed, trimmed.
    /// </summary>
    /// <param name="title">The title given.</param>
    /// <param name="paramName">The name of the argument, for the exception.</param>
    /// <returns>The title, 1 to <see cref="MaxLength"/> characters.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="title"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Nothing is left of the title, or it is longer than <see cref="MaxLength"/> characters.</exception>
    public static string Normalize(string title, string paramName = "title")
    {
        ArgumentNullException.ThrowIfNull(title, paramName);
        var clean = Clean(title);
        if (clean.Length == 0)
        {
            throw new ArgumentException("The title is empty; give 1 to 200 characters of text.", paramName);
        }

        if (clean.Length > MaxLength)
        {
            throw new ArgumentException(
                $"The title has {clean.Length} characters; a title has at most {MaxLength} (after white space is collapsed and trimmed).",
                paramName);
        }

        return clean;
    }

    /// <summary>
    /// A short title made from a session's first question: its first non-empty line, white space collapsed, control characters
    /// removed, cut at a word boundary to at most <see cref="MaxQuestionTitleLength"/> characters with an ellipsis.
    /// </summary>
    /// <param name="question">The first question of the session.</param>
    /// <returns>The title, or <see langword="null"/> when the question holds no text.</returns>
    public static string? FromQuestion(string? question)
    {
        if (string.IsNullOrWhiteSpace(question))
        {
            return null;
        }

        string? line = null;
        foreach (var candidate in question.Split('\n'))
        {
            var clean = Clean(candidate);
            if (clean.Length > 0)
            {
                line = clean;
                break;
            }
        }

        if (line is null)
        {
            return null;
        }

        if (line.Length <= MaxQuestionTitleLength)
        {
            return line;
        }

        var room = MaxQuestionTitleLength - 1; // the ellipsis takes one character
        var cut = line.LastIndexOf(' ', room);
        var head = (cut >= room / 2 ? line[..cut] : line[..room]).TrimEnd(' ', ',', ';', ':', '-');
        if (head.Length == 0)
        {
            head = line[..room];
        }

        if (char.IsHighSurrogate(head[^1]))
        {
            head = head[..^1];
        }

        return head + "…";
    }

    private static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (char.IsControl(c) || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
