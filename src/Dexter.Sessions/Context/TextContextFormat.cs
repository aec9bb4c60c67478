using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

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

    /// <summary>
    /// The note after the answer of an <see cref="Message.Interrupted"/> turn, in the text of <see cref="Format(IEnumerable{Message})"/>
    /// and at the end of the turn's last assistant message when turns are replayed as messages.
    /// </summary>
    public const string InterruptedNote = "[The user stopped this answer before it was finished.]";

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

        if (turn.Interrupted)
        {
            builder.Append(turn.Answer.Length == 0 ? string.Empty : " ").Append(InterruptedNote);
        }

        return builder.Append("\n\n");
    }

    /// <summary>
    /// The messages that replay a turn: <paramref name="messages"/>, and for an <see cref="Message.Interrupted"/> turn
    /// <see cref="InterruptedNote"/> at the end of its last assistant message (or in one of its own when the last is not the assistant's).
    /// </summary>
    internal static IReadOnlyList<ChatMessage> Replay(Message turn, IReadOnlyList<ChatMessage> messages)
    {
        if (!turn.Interrupted)
        {
            return messages;
        }

        var result = new List<ChatMessage>(messages);
        if (result.Count > 0 && result[^1].Role == ChatRole.Assistant)
        {
            var last = result[^1].Clone();
            last.Contents = [.. last.Contents, new TextContent((last.Text.Length == 0 ? string.Empty : "\n") + InterruptedNote)];
            result[^1] = last;
        }
        else
        {
            result.Add(new ChatMessage(ChatRole.Assistant, InterruptedNote) { CreatedAt = turn.CreatedAt });
        }

        return result;
    }
}
