using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace Dexter.Sessions;

/// <summary>
/// An <see cref="IChatReducer"/> with the session layer's budget and rolling summary, for apps that keep their own message list
/// (<c>UseChatReducer()</c>, Agent Framework): the list given to the model keeps its system messages, a summary of the older
/// turns, and the latest turns that fit <see cref="DexterSessionsOptions.MaxContextTokens"/>.
/// </summary>
/// <remarks>
/// <para>A turn is a user message and everything after it up to the next user message (function calls and results stay with their
/// turn). The latest turn is always kept. The turns that no longer fit are folded into one summary (<see cref="IRollingSummarizer"/>:
/// <see cref="ExtractiveRollingSummarizer"/> unless given another), which goes first after the system messages, within
/// <see cref="DexterSessionsOptions.RollingSummaryMaxTokens"/> and at most half of the budget.</para>
/// <para>The summary is updated incrementally: it is kept on the last message it covers (in its
/// <see cref="ChatMessage.AdditionalProperties"/>, under <see cref="SummaryKey"/>), so the next call folds only the turns that left the
/// window since, as <c>SummarizingChatReducer</c> does.</para>
/// </remarks>
public sealed class SessionChatReducer : IChatReducer
{
    /// <summary>The additional property that holds the summary on the last message it covers.</summary>
    public const string SummaryKey = "dexter.rolling_summary";

    private readonly DexterSessionsOptions _options;
    private readonly IRollingSummarizer _summarizer;
    private readonly Tokenizer _tokenizer;

    /// <summary>Initializes the reducer.</summary>
    /// <param name="options">The options: <see cref="DexterSessionsOptions.MaxContextTokens"/>, <see cref="DexterSessionsOptions.RollingSummaryMaxTokens"/>
    /// and <see cref="DexterSessionsOptions.Tokenizer"/>. Defaults when <see langword="null"/>.</param>
    /// <param name="summarizer">Writes the summary of the older turns; <see cref="ExtractiveRollingSummarizer"/> when <see langword="null"/>.</param>
    public SessionChatReducer(IOptions<DexterSessionsOptions>? options = null, IRollingSummarizer? summarizer = null)
    {
        _options = options?.Value ?? new DexterSessionsOptions();
        _tokenizer = _options.Tokenizer ?? ContextBudget.DefaultTokenizer;
        _summarizer = summarizer ?? new ExtractiveRollingSummarizer(_tokenizer);
    }

    /// <inheritdoc />
    public async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var all = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var system = new List<ChatMessage>();
        var index = 0;
        while (index < all.Count && all[index].Role == ChatRole.System)
        {
            system.Add(all[index++]);
        }

        // Turns: each starts at a user message; anything before the first user message belongs to the first turn.
        var starts = new List<int> { index };
        for (var i = index + 1; i < all.Count; i++)
        {
            if (all[i].Role == ChatRole.User)
            {
                starts.Add(i);
            }
        }

        if (index >= all.Count)
        {
            return all;
        }

        // The context builder's budget: the summary's room first (beside the latest turns only, half of what is left, within its own
        // limit), then the turns latest first while they fit, without a gap; the latest is kept whatever its size.
        var budget = _options.MaxContextTokens - ContextBudget.CountTokens(_tokenizer, system);
        var summaryRoom = Math.Min(_options.RollingSummaryMaxTokens, ContextBudget.SummaryRoom(Math.Max(0, budget), besideWholeSessionRanking: false));
        var latestFirst = Enumerable.Range(0, starts.Count).Reverse().ToArray();
        var kept = ContextBudget.TakeWhileTheyFit<int>(
            latestFirst,
            turn => TurnTokens(all, starts, turn),
            static (turn, cost, _) => (turn, cost),
            budget - summaryRoom,
            contiguous: true,
            minCost: int.MinValue); // the latest turn is taken even when the summary's room leaves nothing
        var firstKept = starts.Count - kept.Count;

        if (firstKept == 0)
        {
            return all; // everything fits
        }

        // What the last call folded, and the turns that left the window since.
        var keptFrom = starts[firstKept];
        string? previous = null;
        var foldedTurns = 0;
        for (var i = keptFrom - 1; i >= index; i--)
        {
            if (all[i].AdditionalProperties?.TryGetValue(SummaryKey, out var value) == true && value is string text)
            {
                previous = text;
                foldedTurns = starts.Count(start => start <= i);
                break;
            }
        }

        var summary = previous;
        if (foldedTurns < firstKept)
        {
            var turns = new List<Message>();
            for (var t = foldedTurns; t < firstKept; t++)
            {
                turns.Add(ToMessage(all, starts, t));
            }

            summary = await _summarizer.FoldAsync(previous, turns, _options.RollingSummaryMaxTokens, cancellationToken).ConfigureAwait(false);
            var last = all[keptFrom - 1];
            (last.AdditionalProperties ??= [])[SummaryKey] = summary;
        }

        var result = new List<ChatMessage>(system.Count + 1 + all.Count - keptFrom);
        result.AddRange(system);
        if (!string.IsNullOrWhiteSpace(summary) && summaryRoom > ContextBudget.TokensPerMessage)
        {
            var (text, _) = ContextBudget.Fit(_tokenizer, SessionContextBuilder.RollingSummaryHeader(firstKept) + summary, summaryRoom);

            result.Add(new ChatMessage(ChatRole.System, text));
        }

        for (var i = keptFrom; i < all.Count; i++)
        {
            result.Add(all[i]);
        }

        return result;
    }

    private int TurnTokens(IReadOnlyList<ChatMessage> all, List<int> starts, int turn)
    {
        var end = turn + 1 < starts.Count ? starts[turn + 1] : all.Count;
        var total = 0;
        for (var i = starts[turn]; i < end; i++)
        {
            total += ContextBudget.CountTokens(_tokenizer, all[i]);
        }

        return total;
    }

    /// <summary>A turn of the list as a <see cref="Message"/> to fold: its number (from 1), the user's text and the last answer.</summary>
    private static Message ToMessage(IReadOnlyList<ChatMessage> all, List<int> starts, int turn)
    {
        var end = turn + 1 < starts.Count ? starts[turn + 1] : all.Count;
        var query = all[starts[turn]].Role == ChatRole.User ? all[starts[turn]].Text : string.Empty;
        var answer = string.Empty;
        for (var i = end - 1; i > starts[turn]; i--)
        {
            if (all[i].Role == ChatRole.Assistant && all[i].Text is { Length: > 0 } text)
            {
                answer = text;
                break;
            }
        }

        return new Message { Id = turn + 1, Query = query, Answer = answer, Summary = string.Empty, CreatedAt = DateTimeOffset.UnixEpoch };
    }
}
