using System.Globalization;
using System.Text;

namespace Dexter.Sessions;

/// <summary>
/// The text that gives past turns to the model in <see cref="SessionContextMode.Text"/>: one block with a header, each turn's query
/// and its answer cut to <see cref="AnswerLength"/> characters, and a closing line.
/// </summary>
public static class TextContextFormat
{
    /// <summary>The header that starts the text made by <see cref="Format(IEnumerable{Message})"/>.</summary>
    public const string Header = "## Previous Conversation Context";

    /// <summary>How many characters of an answer <see cref="Format(IEnumerable{Message})"/> keeps.</summary>
    public const int AnswerLength = 400;

    /// <summary>The line that ends the text made by <see cref="Format(IEnumerable{Message})"/>.</summary>
    internal const string Footer = "---\n";

    /// <summary>
    /// Formats <paramref name="turns"/> as context for a model: a <c>## Previous Conversation Context</c> header, then per turn
    /// <c>**Turn N:**</c>, <c>- User: …</c> and <c>- Agent: …</c> (answers cut to <see cref="AnswerLength"/> characters), ending
    /// with <c>---</c>.
    /// </summary>
    /// <param name="turns">The turns to format, in order.</param>
    /// <returns>The context text; empty when there are no turns.</returns>
    public static string Format(IEnumerable<Message> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        var builder = new StringBuilder();
        foreach (var turn in turns)
        {
            if (builder.Length == 0)
            {
                builder.Append(Header).Append("\n\n");
            }

            AppendTurn(builder, turn);
        }

        if (builder.Length > 0)
        {
            builder.Append(Footer);
        }

        return builder.ToString();
    }

    /// <summary>One turn's part of <see cref="Format(IEnumerable{Message})"/>.</summary>
    internal static string FormatTurn(Message turn) => AppendTurn(new StringBuilder(), turn).ToString();

    private static StringBuilder AppendTurn(StringBuilder builder, Message turn)
    {
        builder.Append(CultureInfo.InvariantCulture, $"**Turn {turn.Id}:**\n");
        builder.Append("- User: ").Append(turn.Query).Append('\n');
        builder.Append("- Agent: ");
        if (turn.Answer.Length > AnswerLength)
        {
            builder.Append(TextCut.Prefix(turn.Answer, AnswerLength)).Append("...");
        }
        else
        {
            builder.Append(turn.Answer);
        }

        return builder.Append("\n\n");
    }
}
