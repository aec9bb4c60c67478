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

    /// <summary>
    /// The room the rolling summary may take of <paramref name="remaining"/> tokens. Beside a selection that ranks the whole session
    /// the summary is a backstop (the gist), an eighth; beside the latest turns only, it is the only memory of the older ones, half.
    /// </summary>
    internal static int SummaryRoom(int remaining, bool besideWholeSessionRanking) =>
        besideWholeSessionRanking ? remaining / 8 : remaining / 2;

    /// <summary>The text of one message, cut at a token boundary when it takes more than <paramref name="room"/> tokens, and its tokens.</summary>
    internal static (string Text, int Tokens) Fit(Tokenizer tokenizer, string text, int room)
    {
        var tokens = CountTokens(tokenizer, text);
        if (tokens > room)
        {
            text = Cut(tokenizer, text, room - TokensPerMessage);
            tokens = CountTokens(tokenizer, text);
        }

        return (text, tokens);
    }

    /// <summary>
    /// The one rule by which past turns fill what is left of the budget: most relevant first, each while it fits. When nothing is
    /// taken yet, an item that does not fit is taken as <paramref name="whenNothingFits"/> makes it (cut to fit, or whole), unless
    /// it gives <see langword="null"/>. <paramref name="contiguous"/> stops at the first item that does not fit (a conversation's
    /// latest turns, without a gap); otherwise smaller items after it are still taken, until less than <paramref name="minCost"/> is left.
    /// </summary>
    /// <param name="mostRelevantFirst">The items, most relevant first.</param>
    /// <param name="cost">The tokens an item takes.</param>
    /// <param name="whenNothingFits">Given an item, its cost and the room left: the item to take instead and its cost, or <see langword="null"/>.</param>
    /// <param name="remaining">The tokens left for the items.</param>
    /// <param name="contiguous">Whether to stop at the first item that does not fit.</param>
    /// <param name="minCost">The fewest tokens an item can take; with less left, the walk stops.</param>
    /// <returns>The items taken, in the order they were taken, with their cost, their rank (from 0) and whether they were taken as
    /// <paramref name="whenNothingFits"/> made them.</returns>
    internal static List<(T Item, int Cost, int Rank, bool Replaced)> TakeWhileTheyFit<T>(
        IReadOnlyList<T> mostRelevantFirst, Func<T, int> cost, Func<T, int, int, (T Item, int Cost)?> whenNothingFits, int remaining,
        bool contiguous, int minCost = 0)
    {
        var taken = new List<(T Item, int Cost, int Rank, bool Replaced)>();
        for (var rank = 0; rank < mostRelevantFirst.Count && remaining >= minCost; rank++)
        {
            var item = mostRelevantFirst[rank];
            var itemCost = cost(item);
            if (itemCost <= remaining)
            {
                taken.Add((item, itemCost, rank, false));
                remaining -= itemCost;
            }
            else if (taken.Count == 0 && whenNothingFits(item, itemCost, remaining) is { } instead)
            {
                taken.Add((instead.Item, instead.Cost, rank, true));
                remaining -= instead.Cost;
            }
            else if (contiguous)
            {
                break;
            }
        }

        return taken;
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
