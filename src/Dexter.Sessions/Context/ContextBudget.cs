using Microsoft.Extensions.AI;
using Microsoft.ML.Tokenizers;

namespace Dexter.Sessions;

/// <summary>
/// How the context's tokens are counted against <see cref="DexterSessionsOptions.MaxContextTokens"/>, so that callers (and
/// tests) can count the same way.
/// </summary>
public static class ContextBudget
{
    /// <summary>The tokens counted for each message besides its text: its role and the model's message framing.</summary>
    public const int TokensPerMessage = 4;

    /// <summary>The marker put where a turn's text was cut to fit the budget.</summary>
    public const string CutMarker = " …[cut to fit the context budget]";

    private static readonly Lazy<Tokenizer> O200kBase = new(static () => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    /// <summary>Gets the default tokenizer: Tiktoken <c>o200k_base</c>, loaded on first use.</summary>
    public static Tokenizer DefaultTokenizer => O200kBase.Value;

    /// <summary>Counts a message as the budget does: the tokens of its text plus <see cref="TokensPerMessage"/>.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="message">The message.</param>
    /// <returns>The message's tokens.</returns>
    public static int CountTokens(Tokenizer tokenizer, ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(message);
        return CountTokens(tokenizer, ContentText(message));
    }

    /// <summary>Counts messages as the budget does.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="messages">The messages.</param>
    /// <returns>The sum of their tokens.</returns>
    public static int CountTokens(Tokenizer tokenizer, IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var total = 0;
        foreach (var message in messages)
        {
            total += CountTokens(tokenizer, message);
        }

        return total;
    }

    /// <summary>The tokens of one message whose text is <paramref name="text"/>.</summary>
    internal static int CountTokens(Tokenizer tokenizer, string text) =>
        TokensPerMessage + (text.Length == 0 ? 0 : tokenizer.CountTokens(text));

    /// <summary>
    /// The text of a message as the model reads it: its text, and for function calls and results their names, arguments and
    /// results, which count against the budget too.
    /// </summary>
    internal static string ContentText(ChatMessage message)
    {
        if (message.Contents.All(static c => c is TextContent))
        {
            return message.Text;
        }

        var parts = new List<string>();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent text:
                    parts.Add(text.Text);
                    break;
                case FunctionCallContent call:
                    parts.Add(call.Name + "(" + string.Join(", ", call.Arguments?.Select(a => a.Key + ": " + a.Value) ?? []) + ")");
                    break;
                case FunctionResultContent result:
                    parts.Add(result.Result?.ToString() ?? string.Empty);
                    break;
            }
        }

        return string.Join("\n", parts);
    }

    /// <summary>Cuts <paramref name="text"/> at a token boundary so that it and the marker take at most <paramref name="maxTokens"/> tokens.</summary>
    internal static string Cut(Tokenizer tokenizer, string text, int maxTokens) => Cut(tokenizer, text, maxTokens, CutMarker);

    /// <summary>Cuts <paramref name="text"/> at a token boundary so that it and <paramref name="marker"/> take at most <paramref name="maxTokens"/> tokens.</summary>
    internal static string Cut(Tokenizer tokenizer, string text, int maxTokens, string marker)
    {
        var room = maxTokens - tokenizer.CountTokens(marker);
        if (room <= 0)
        {
            return string.Empty;
        }

        var index = tokenizer.GetIndexByTokenCount(text, room, out _, out _);
        return text[..index] + marker;
    }
}
