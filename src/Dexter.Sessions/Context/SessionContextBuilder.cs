using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Tokenizers;

namespace Dexter.Sessions;

/// <summary>
/// Builds what the model receives before a turn: reads the session (through <see cref="SessionTurnCache"/> for a selector that ranks
/// the whole session) and its rolling summary, asks the selector, and fills <see cref="DexterSessionsOptions.MaxContextTokens"/> with
/// the instructions, the rolling summary and the selected turns, most relevant first.
/// </summary>
internal sealed class SessionContextBuilder
{
    /// <summary>How many fitted rolling summaries are kept (about one per session queried lately); all are dropped when it is reached.</summary>
    private const int MaxKeptSummaries = 256;

    private readonly ConditionalWeakTable<Message, StrongBox<int>> _textCosts = new();
    private readonly Dictionary<(int, int, string), (string Text, int Tokens)> _summaries = [];
    private readonly ILogger _logger;
    private readonly Tokenizer _tokenizer;

    public SessionContextBuilder(DexterSessionsOptions options, Tokenizer tokenizer, ILogger logger)
    {
        Options = options;
        _tokenizer = tokenizer;
        _logger = logger;
    }

    public DexterSessionsOptions Options { get; }

    /// <summary>Gets the turns of the sessions queried lately; the recorder adds the turns it records and the vectors it stores.</summary>
    public SessionTurnCache Turns { get; } = new();

    /// <summary>
    /// Builds the context of <paramref name="turn"/>'s query from its session, and keeps it in the turn with what the turn records
    /// of the way there (whether the session existed, whether the selector fell back, the query's vector).
    /// </summary>
    public async Task BuildAsync(SessionTurn turn, CancellationToken cancellationToken)
    {
        // The rolling summary is read beside the latest turns, not after them: on Redis both go out in one round trip.
        var summaryRead = Options.RollingSummary ? ReadSummaryAsync(turn.Store, turn.StoreSessionId, cancellationToken) : null;
        var (selection, consideredTurns) = await SelectAsync(turn, cancellationToken).ConfigureAwait(false);
        turn.RollingSummary = summaryRead is null ? null : await summaryRead.ConfigureAwait(false);
        turn.QueryEmbedding = selection.QueryEmbedding;
        turn.SetContext(Build(selection, turn.RollingSummary, consideredTurns, turn.SelectorFellBack, turn.Selector));
    }

    /// <summary>
    /// The rolling summary with its header, cut to fit <paramref name="room"/>, and its tokens. The same summary is given to every
    /// query until the next fold, so the result is kept for the last summaries seen (their text, through id and room).
    /// </summary>
    private (string Text, int Tokens) SummaryToFit(SessionSummary summary, int room)
    {
        var key = (summary.ThroughTurnId, room, summary.Text);
        lock (_summaries)
        {
            if (_summaries.TryGetValue(key, out var known))
            {
                return known;
            }
        }

        var (text, tokens) = ContextBudget.Fit(_tokenizer, RollingSummaryHeader(summary.ThroughTurnId) + summary.Text, room);

        lock (_summaries)
        {
            if (_summaries.Count >= MaxKeptSummaries)
            {
                _summaries.Clear();
            }

            _summaries[key] = (text, tokens);
        }

        return (text, tokens);
    }

    /// <summary>Reports whether the selector ranks every turn of the session (<see cref="MessageSelectionContext.WholeSession"/>).</summary>
    public bool RanksWholeSession(IMessageSelector selector) =>
        selector.GetCandidateCount(Options.MaxContextMessages) >= MessageSelectionContext.WholeSession;

    /// <summary>
    /// The recent window: <see cref="DexterSessionsOptions.MaxContextMessages"/> latest turns. Turns older than it are folded into the
    /// rolling summary, whatever the selector.
    /// </summary>
    public int RecentWindow => Options.MaxContextMessages;


    private async Task<SessionSummary?> ReadSummaryAsync(ISessionStore store, string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            return await store.GetSummaryAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The turn goes on with the recent turns only; a store that is down fails the turn's own read anyway.
            SessionTurnPipeline.Log.RollingSummaryReadFailed(_logger, sessionId, ex);
            return null;
        }
    }

    private async Task<(MessageSelection Selection, int ConsideredTurns)> SelectAsync(SessionTurn turn, CancellationToken cancellationToken)
    {
        var (store, sessionId, selector) = (turn.Store, turn.StoreSessionId, turn.Selector);
        var wanted = selector.GetCandidateCount(turn.MaxContextMessages);
        var wholeSession = wanted >= MessageSelectionContext.WholeSession;
        var max = wholeSession ? MessageSelectionContext.WholeSession : turn.MaxContextMessages;

        // A selector that ranks the whole session reads it through the cache: only the turns appended since the last query. A
        // caller's history is read as it is: every history has the same id.
        var candidates = wholeSession && !turn.OverCallersHistory
            ? await Turns.GetAllAsync(store, sessionId, RecentWindow, cancellationToken).ConfigureAwait(false)
            : await store.GetRecentAsync(sessionId, Math.Max(wanted, max), cancellationToken).ConfigureAwait(false);

        // A turn that begins on an existing session is recorded only while it exists: a delete racing the answer wins.
        turn.SessionExisted = candidates.Count > 0 || await store.ExistsAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (candidates.Count == 0)
        {
            return (new MessageSelection([]), 0);
        }

        MessageSelection selection;
        try
        {
            var context = new MessageSelectionContext(turn.Query, candidates, max)
            {
                SessionId = turn.OverCallersHistory ? null : sessionId, // the selector's own caches are keyed by it
                MaxTokens = Options.MaxContextTokens,
            };
            selection = await selector.SelectAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            DexterSessionsTelemetry.SelectorFallbacks.Add(1);
            turn.SelectorFellBack = true;
            SessionTurnPipeline.Log.SelectionFallback(_logger, selector.GetType().Name, ex);
            return (new MessageSelection(RecentMessageSelector.TakeLast(candidates, Math.Min(max, Options.MaxContextMessages))), candidates.Count);
        }

        if (selection.UpdatedTurns.Count > 0)
        {
            await KeepEmbeddingsAsync(turn, selection.UpdatedTurns, cancellationToken).ConfigureAwait(false);
        }

        return (selection, candidates.Count);
    }

    private async Task KeepEmbeddingsAsync(SessionTurn turn, IReadOnlyList<Message> updated, CancellationToken cancellationToken)
    {
        try
        {
            await turn.Store.UpdateEmbeddingsAsync(turn.StoreSessionId, updated, cancellationToken).ConfigureAwait(false);
            if (!turn.OverCallersHistory)
            {
                Turns.Updated(turn.StoreSessionId, updated);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The selection stands; the vectors are computed again next time.
            SessionTurnPipeline.Log.KeepEmbeddingsFailed(_logger, updated.Count, turn.StoreSessionId, ex);
        }
    }

    /// <summary>
    /// Builds the context within <see cref="DexterSessionsOptions.MaxContextTokens"/>: the instructions (cut when they alone do not
    /// fit), the rolling summary (cut to fit at most an eighth of what is left beside a selection that ranks the whole session, half
    /// beside one that does not), then the selected turns taken most relevant first while
    /// they fit, the most relevant one cut to fit when nothing else does; the turns that made it go to the model in chronological order.
    /// </summary>
    private ContextExplanation Build(MessageSelection selection, SessionSummary? summary, int consideredTurns, bool selectorFellBack, IMessageSelector selector)
    {
        var remaining = Options.MaxContextTokens;
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(Options.Instructions))
        {
            var instructions = Options.Instructions;
            if (ContextBudget.CountTokens(_tokenizer, instructions) > remaining)
            {
                instructions = ContextBudget.Cut(_tokenizer, instructions, remaining - ContextBudget.TokensPerMessage);
                SessionTurnPipeline.Log.InstructionsCut(_logger, remaining);
            }

            messages.Add(new ChatMessage(ChatRole.System, instructions));
            remaining -= ContextBudget.CountTokens(_tokenizer, instructions);
        }

        var summaryUsed = false;
        if (summary is not null && !string.IsNullOrWhiteSpace(summary.Text))
        {
            // Counted once: a full summary is the context's longest text, and the tokenizer's cost grows with it.
            var room = ContextBudget.SummaryRoom(remaining, besideWholeSessionRanking: RanksWholeSession(selector));
            var (text, tokens) = SummaryToFit(summary, room);

            if (text.Length > 0)
            {
                messages.Add(new ChatMessage(ChatRole.System, text));
                remaining -= tokens;
                summaryUsed = true;
            }
        }

        var fixedTokens = Options.MaxContextTokens - remaining; // instructions and rolling summary, counted above
        ContextExplanation Explain(List<ExplainedTurn> turns, int tokens, IReadOnlyList<Message> context) =>
            new(messages, turns, summaryUsed ? summary : null, tokens, Options.MaxContextTokens, consideredTurns, selector.GetType().Name, selectorFellBack)
            {
                ContextTurns = context,
            };

        if (selection.Turns.Count == 0)
        {
            return Explain([], fixedTokens, []);
        }

        var asText = Options.ContextMode == SessionContextMode.Text;
        if (asText)
        {
            // One system message: its framing (header, footer) is paid once.
            remaining -= ContextBudget.CountTokens(_tokenizer, TextContextFormat.Header + "\n\n" + TextContextFormat.Footer);
        }

        // Most relevant first while they fit. Each turn's cost is counted once and kept with the turn; once nothing more can fit
        // (what is left is less than the smallest turn could take), the rest of the ranking is not walked.
        var ranked = selection.MostRelevantFirst;
        var kept = ContextBudget.TakeWhileTheyFit(
            ranked,
            turn => Cost(turn, asText),
            (turn, _, room) => CutToFit(turn, room, asText) is { } cut
                ? (cut, asText ? _tokenizer.CountTokens(TextContextFormat.FormatTurn(cut)) : TurnTokens(cut))
                : null,
            remaining,
            contiguous: false,
            MinTurnTokens);

        if (kept.Count < ranked.Count && selection.Relevance is null)
        {
            SessionTurnPipeline.Log.ContextTrimmed(_logger, ranked.Count - kept.Count, ranked.Count, Options.MaxContextTokens);
        }

        // Parts are counted one by one; the whole is counted once more, and the least relevant turn leaves while it is over.
        var instructionCount = messages.Count;
        while (true)
        {
            var ordered = kept.OrderBy(static t => t.Item.Id).ToList();
            messages.RemoveRange(instructionCount, messages.Count - instructionCount);
            if (ordered.Count == 0)
            {
                return Explain([], fixedTokens, []);
            }

            if (asText)
            {
                messages.Add(new ChatMessage(ChatRole.System, TextContextFormat.Format(ordered.Select(static t => t.Item))));
            }
            else
            {
                foreach (var (turn, _, _, _) in ordered)
                {
                    messages.AddRange(ReplayMessages(turn));
                }
            }

            var total = fixedTokens + ContextBudget.CountTokens(_tokenizer, messages.Skip(instructionCount));
            if (total <= Options.MaxContextTokens)
            {
                var relevance = selection.Relevance;
                return Explain(
                    ordered.ConvertAll(t => new ExplainedTurn(t.Item.Id, t.Cost, t.Rank + 1, relevance is not null && t.Rank < relevance.Count ? relevance[t.Rank] : null, t.Replaced)),
                    total,
                    ordered.ConvertAll(static t => t.Item));
            }

            kept.RemoveAt(kept.Count - 1);
        }
    }

    /// <summary>The fewest tokens a turn takes in the context (its framing, a short question and answer); below it, nothing more fits.</summary>
    private const int MinTurnTokens = 8;

    /// <summary>The tokens a turn takes in the context; the text format's count is kept with the turn, so it is counted once.</summary>
    private int Cost(Message turn, bool asText)
    {
        if (!asText)
        {
            return TurnTokens(turn);
        }

        if (_textCosts.TryGetValue(turn, out var known))
        {
            return known.Value;
        }

        var cost = _tokenizer.CountTokens(TextContextFormat.FormatTurn(turn));
        _textCosts.AddOrUpdate(turn, new StrongBox<int>(cost));
        return cost;
    }

    /// <summary>The line that introduces the rolling summary in the context.</summary>
    public static string RollingSummaryHeader(int throughTurnId) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Summary of this conversation's earlier turns (1 to {throughTurnId}), older than the turns below:\n");

    private static IEnumerable<ChatMessage> ReplayMessages(Message turn) =>
        turn.ChatMessages.Count > 0 ? TextContextFormat.Replay(turn, turn.ChatMessages) : MessageHistory.ToChatMessages([turn]);

    /// <summary>The tokens of a turn replayed as messages: stored with the turn when it was recorded, else counted now.</summary>
    private int TurnTokens(Message turn) => turn.TokenCount ?? ContextBudget.CountTokens(_tokenizer, ReplayMessages(turn));

    /// <summary>The turn with its answer cut at a token boundary so that it fits <paramref name="room"/>; <see langword="null"/> when even its query does not fit.</summary>
    private Message? CutToFit(Message turn, int room, bool asText)
    {
        var withoutAnswer = turn with { Answer = string.Empty, ChatMessages = [], TokenCount = null };
        var fixedCost = asText
            ? _tokenizer.CountTokens(TextContextFormat.FormatTurn(withoutAnswer))
            : ContextBudget.CountTokens(_tokenizer, MessageHistory.ToChatMessages([withoutAnswer]));
        var answerRoom = room - fixedCost;
        if (answerRoom <= _tokenizer.CountTokens(ContextBudget.CutMarker) + 1)
        {
            return null;
        }

        var cut = withoutAnswer with { Answer = ContextBudget.Cut(_tokenizer, turn.Answer, answerRoom - 1) };
        var cost = asText ? _tokenizer.CountTokens(TextContextFormat.FormatTurn(cut)) : ContextBudget.CountTokens(_tokenizer, MessageHistory.ToChatMessages([cut]));
        return cost <= room ? cut : null;
    }
}
