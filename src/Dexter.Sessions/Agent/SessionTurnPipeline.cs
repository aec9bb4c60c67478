using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// Owns one turn of a session from start to end; every entry point (<see cref="DexterAgent"/>, <see cref="SessionChatClient"/>,
/// the Agent Framework provider, the HTTP endpoints) is a thin adapter over it.
/// </summary>
/// <remarks>
/// <para>Shaped like Agent Framework's history providers: <see cref="BeginTurnAsync(string, IEnumerable{ChatMessage}, CancellationToken)"/>
/// runs before the model (read the latest turns in one store round trip, select the relevant ones, keep what the selector computed,
/// build the context messages), and <see cref="SessionTurn.CompleteAsync"/> after it (summarize, prepare, append in one round trip,
/// telemetry). The caller calls the model in between, with its own <see cref="ChatOptions"/> and tools.</para>
/// <para>A turn is recorded only by <see cref="SessionTurn.CompleteAsync"/>; a turn that is failed or disposed without completing
/// records nothing. A failing selector or summarizer never fails a turn: it falls back and logs a warning.</para>
/// </remarks>
public sealed partial class SessionTurnPipeline
{
    private readonly ISummarizer _summarizer;
    private readonly IMessageSelector _selector;
    private readonly ILogger _logger;
    private readonly Microsoft.ML.Tokenizers.Tokenizer _tokenizer;
    private readonly IRollingSummarizer _rollingSummarizer;
    private readonly SessionSummaryWorker? _worker;
    private readonly SessionTurnCache _turns = new();
    private readonly ConditionalWeakTable<Message, StrongBox<int>> _planningCosts = new();

    /// <summary>How many turns one update of the rolling summary folds at most; a summary further behind skips the oldest (with a warning).</summary>
    internal const int MaxFoldTurns = 256;

    /// <summary>Initializes the pipeline.</summary>
    /// <param name="store">Where sessions are kept.</param>
    /// <param name="summarizer">How turns are summarized; <see cref="TruncatingSummarizer"/> when <see langword="null"/>.</param>
    /// <param name="selector">How context is selected; when <see langword="null"/>, as <see cref="DexterSessionsOptions.Selection"/> says:
    /// <see cref="RelevanceMessageSelector"/> (lexical relevance, no generator) by default, or <see cref="RecentMessageSelector"/>.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <param name="rollingSummarizer">How the rolling summary of a session is written; <see cref="ExtractiveRollingSummarizer"/> when <see langword="null"/>.</param>
    /// <param name="worker">Where the work after a recorded turn (the model's summary, the rolling summary) is done; with <see langword="null"/>
    /// it is done before <see cref="SessionTurn.CompleteAsync"/> returns.</param>
    public SessionTurnPipeline(
        ISessionStore store,
        ISummarizer? summarizer = null,
        IMessageSelector? selector = null,
        IOptions<DexterSessionsOptions>? options = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        IRollingSummarizer? rollingSummarizer = null,
        SessionSummaryWorker? worker = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _summarizer = summarizer ?? TruncatingSummarizer.Instance;
        Options = options?.Value ?? new DexterSessionsOptions();
        _selector = selector ?? Options.Selection switch
        {
            SessionSelection.Relevance => new RelevanceMessageSelector(),
            SessionSelection.Recent => RecentMessageSelector.Instance,
            var other => throw new ArgumentException(
                $"Dexter:Sessions:Selection is {other}, which needs package Dexter.Sessions.Embeddings: pass its EmbeddingMessageSelector, or choose Relevance or Recent.",
                nameof(options)),
        };
        TimeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _tokenizer = Options.Tokenizer ?? ContextBudget.DefaultTokenizer;
        _rollingSummarizer = rollingSummarizer ?? new ExtractiveRollingSummarizer(_tokenizer);
        _worker = Options.BackgroundSummaries ? worker : null;
    }

    /// <summary>Gets the store turns are read from and recorded in.</summary>
    public ISessionStore Store { get; }

    /// <summary>Gets the options.</summary>
    public DexterSessionsOptions Options { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Begins a turn of session <paramref name="sessionId"/>: reads its latest turns, selects the context for the query (the text of
    /// the last user message of <paramref name="requestMessages"/>) and builds the context messages.
    /// </summary>
    /// <param name="sessionId">The session; it is created by the first recorded turn when it does not exist.</param>
    /// <param name="requestMessages">The messages of this turn from the caller: the user's message, and, when a function-calling loop
    /// continues the turn, the function calls and results since it.</param>
    /// <param name="cancellationToken">A token to cancel the reads.</param>
    /// <returns>The turn; complete it with the model's response, or dispose it to record nothing.</returns>
    /// <exception cref="ArgumentException">The session id is not valid, there is no user message, or its text is empty or too long.</exception>
    public Task<SessionTurn> BeginTurnAsync(string sessionId, IEnumerable<ChatMessage> requestMessages, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return BeginCoreAsync(sessionId, history: null, requestMessages, explainOnly: false, cancellationToken);
    }

    /// <summary>
    /// Begins a turn over a <see cref="MessageHistory"/> the caller holds, with no store: completing it adds the turn to the history
    /// (the original system's <c>agent.run(query, message_history=history)</c>). The history's own limit
    /// (<see cref="MessageHistory.MaxContextMessages"/>) is used, and its own selector when it was made with one.
    /// </summary>
    /// <param name="history">The conversation so far.</param>
    /// <param name="requestMessages">The messages of this turn from the caller, ending with or after the user's message.</param>
    /// <param name="cancellationToken">A token to cancel the selection.</param>
    /// <returns>The turn.</returns>
    /// <exception cref="ArgumentException">There is no user message, or its text is empty or too long.</exception>
    public Task<SessionTurn> BeginTurnAsync(MessageHistory history, IEnumerable<ChatMessage> requestMessages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(history);
        return BeginCoreAsync(sessionId: null, history, requestMessages, explainOnly: false, cancellationToken);
    }

    /// <summary>
    /// Returns exactly the context the model would receive before <paramref name="query"/> in session <paramref name="sessionId"/>,
    /// and why each past turn is in it, recording nothing.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="query">The question.</param>
    /// <param name="cancellationToken">A token to cancel the reads.</param>
    /// <returns>The context messages, the turns in them with their tokens and score parts, and the tokens used.</returns>
    /// <exception cref="ArgumentException">The session id is not valid, or the query is empty or too long.</exception>
    /// <remarks>Vectors computed on the way for turns that had none are stored, as a turn would store them.</remarks>
    public async Task<ContextExplanation> ExplainContextAsync(string sessionId, string query, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(query);
        using var turn = await BeginCoreAsync(sessionId, history: null, [new ChatMessage(ChatRole.User, query)], explainOnly: true, cancellationToken).ConfigureAwait(false);
        return turn.Explanation;
    }

    /// <summary>Checks a query against the rules every entry point applies: not empty, at most <see cref="DexterSessionsOptions.MaxQueryLength"/> characters.</summary>
    /// <param name="query">The query.</param>
    /// <exception cref="ArgumentException">The query is empty or too long.</exception>
    public void ValidateQuery(string query)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        if (query.Length > Options.MaxQueryLength)
        {
            throw new ArgumentException(
                $"The query has {query.Length} characters; at most {Options.MaxQueryLength} are allowed (Dexter:Sessions:MaxQueryLength).",
                nameof(query));
        }
    }

    /// <summary>Finds the turn's user message: the last message with the user role.</summary>
    /// <param name="messages">The messages.</param>
    /// <returns>Its index, or -1 when there is none.</returns>
    public static int IndexOfLastUserMessage(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == ChatRole.User)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Tells whether a response leaves function calls unanswered, so the turn goes on (a function-calling loop will call the model
    /// again with the results) and is not recorded yet.
    /// </summary>
    /// <param name="messages">The messages of the turn so far, the response's included.</param>
    /// <returns><see langword="true"/> when a function call has no result among <paramref name="messages"/>.</returns>
    public static bool HasPendingFunctionCalls(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        HashSet<string>? pending = null;
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionCallContent { InformationalOnly: false } call)
                {
                    (pending ??= new(StringComparer.Ordinal)).Add(call.CallId);
                }
                else if (content is FunctionResultContent result)
                {
                    pending?.Remove(result.CallId);
                }
            }
        }

        return pending is { Count: > 0 };
    }

    private async Task<SessionTurn> BeginCoreAsync(string? sessionId, MessageHistory? history, IEnumerable<ChatMessage> requestMessages, bool explainOnly, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestMessages);
        var request = requestMessages as IReadOnlyList<ChatMessage> ?? [.. requestMessages];
        var userIndex = IndexOfLastUserMessage(request);
        if (userIndex < 0)
        {
            throw new ArgumentException("A turn needs a user message: the request has no message with the user role.", nameof(requestMessages));
        }

        var query = request[userIndex].Text;
        ValidateQuery(query);
        var turnMessages = userIndex == 0 ? request : request.Skip(userIndex).ToArray();
        var turn = new SessionTurn(this, sessionId, history, query, turnMessages, explainOnly ? null : StartActivity(sessionId), TimeProvider.GetTimestamp());
        try
        {
            // The rolling summary is read beside the latest turns, not after them: on Redis both go out in one round trip.
            var summaryRead = history is null && Options.RollingSummary ? ReadSummaryAsync(sessionId!, cancellationToken) : null;
            var selection = await SelectContextAsync(turn, sessionId, history, query, cancellationToken).ConfigureAwait(false);
            var summary = summaryRead is null ? null : await summaryRead.ConfigureAwait(false);
            turn.RollingSummary = summary;
            turn.QueryEmbedding = selection.QueryEmbedding;
            var explanation = BuildContext(selection, summary, turn.ConsideredTurns, turn.SelectorFellBack, SelectorOf(history));
            turn.SetContext(explanation, explanation.ContextTurns);
            return turn;
        }
        catch (Exception ex)
        {
            turn.Fail(ex, cancellationToken);
            turn.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The recent window: <see cref="DexterSessionsOptions.MaxContextMessages"/> latest turns. Turns older than it are folded into the
    /// rolling summary, whatever the selector.
    /// </summary>
    private int RecentWindow => Options.MaxContextMessages;

    /// <summary>The selector of a turn: a history's own when it was given one, else the pipeline's.</summary>
    private IMessageSelector SelectorOf(MessageHistory? history) => history?.ExplicitSelector ?? _selector;

    private async Task<SessionSummary?> ReadSummaryAsync(string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            return await Store.GetSummaryAsync(sessionId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The turn goes on with the recent turns only; a store that is down fails the turn's own read anyway.
            Log.RollingSummaryReadFailed(_logger, sessionId, ex);
            return null;
        }
    }

    private async Task<MessageSelection> SelectContextAsync(SessionTurn turn, string? sessionId, MessageHistory? history, string query, CancellationToken cancellationToken)
    {
        IReadOnlyList<Message> candidates;
        var selector = SelectorOf(history);
        var wanted = selector.GetCandidateCount(history?.MaxContextMessages ?? Options.MaxContextMessages);
        var wholeSession = wanted >= MessageSelectionContext.WholeSession;
        var max = wholeSession ? MessageSelectionContext.WholeSession : history?.MaxContextMessages ?? Options.MaxContextMessages;
        if (history is not null)
        {
            // The history's own limit, and its own selector when it was given one (else the pipeline's).
            candidates = history.GetAll();
        }
        else
        {
            // A selector that ranks the whole session reads it through the cache: only the turns appended since the last query.
            candidates = wholeSession
                ? await _turns.GetAllAsync(Store, sessionId!, RecentWindow, cancellationToken).ConfigureAwait(false)
                : await Store.GetRecentAsync(sessionId!, Math.Max(wanted, max), cancellationToken).ConfigureAwait(false);

            // A turn that begins on an existing session is recorded only while it exists: a delete racing the answer wins.
            turn.SessionExisted = candidates.Count > 0 || await Store.ExistsAsync(sessionId!, cancellationToken).ConfigureAwait(false);
        }

        turn.ConsideredTurns = candidates.Count;

        if (candidates.Count == 0)
        {
            return new MessageSelection([]);
        }

        MessageSelection selection;
        try
        {
            selection = await selector.SelectAsync(new MessageSelectionContext(query, candidates, max) { SessionId = sessionId }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            DexterSessionsTelemetry.SelectorFallbacks.Add(1);
            turn.SelectorFellBack = true;
            Log.SelectionFallback(_logger, selector.GetType().Name, ex);
            return new MessageSelection(RecentMessageSelector.TakeLast(candidates, Math.Min(max, Options.MaxContextMessages)));
        }

        if (selection.UpdatedTurns.Count > 0)
        {
            await KeepEmbeddingsAsync(sessionId, history, selection.UpdatedTurns, cancellationToken).ConfigureAwait(false);
        }

        return selection;
    }

    private async Task KeepEmbeddingsAsync(string? sessionId, MessageHistory? history, IReadOnlyList<Message> updated, CancellationToken cancellationToken)
    {
        if (history is not null)
        {
            history.UpdateEmbeddings(updated);
            return;
        }

        try
        {
            await Store.UpdateEmbeddingsAsync(sessionId!, updated, cancellationToken).ConfigureAwait(false);
            _turns.Updated(sessionId!, updated);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The selection stands; the vectors are computed again next time.
            Log.KeepEmbeddingsFailed(_logger, updated.Count, sessionId!, ex);
        }
    }

    /// <summary>
    /// Builds the context within <see cref="DexterSessionsOptions.MaxContextTokens"/>: the instructions (cut when they alone do not
    /// fit), the rolling summary (cut to fit at most an eighth of what is left beside a selection that ranks the whole session, half
    /// beside one that does not), then the selected turns taken most relevant first while
    /// they fit, the most relevant one cut to fit when nothing else does; the turns that made it go to the model in chronological order.
    /// </summary>
    private ContextExplanation BuildContext(MessageSelection selection, SessionSummary? summary, int consideredTurns, bool selectorFellBack, IMessageSelector selector)
    {
        var remaining = Options.MaxContextTokens;
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(Options.Instructions))
        {
            var instructions = Options.Instructions;
            if (ContextBudget.CountTokens(_tokenizer, instructions) > remaining)
            {
                instructions = ContextBudget.Cut(_tokenizer, instructions, remaining - ContextBudget.TokensPerMessage);
                Log.InstructionsCut(_logger, remaining);
            }

            messages.Add(new ChatMessage(ChatRole.System, instructions));
            remaining -= ContextBudget.CountTokens(_tokenizer, instructions);
        }

        var summaryUsed = false;
        if (summary is not null && !string.IsNullOrWhiteSpace(summary.Text))
        {
            // Counted once: a full summary is the context's longest text, and the tokenizer's cost grows with it.
            // Beside a selection that ranks the whole session the summary is a backstop (the gist), an eighth of what is left;
            // beside the latest turns only, it is the only memory of the older ones, and may take half.
            var room = RanksWholeSession(selector) ? remaining / 8 : remaining / 2;
            var text = RollingSummaryHeader(summary.ThroughTurnId) + summary.Text;
            var tokens = ContextBudget.CountTokens(_tokenizer, text);
            if (tokens > room)
            {
                text = ContextBudget.Cut(_tokenizer, text, room - ContextBudget.TokensPerMessage);
                tokens = ContextBudget.CountTokens(_tokenizer, text);
            }

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

        var planning = Options.ContextMode == SessionContextMode.Planning;
        if (planning)
        {
            // One system message: its framing (header, footer) is paid once.
            remaining -= ContextBudget.CountTokens(_tokenizer, MessageHistory.PlanningHeader + "\n\n" + MessageHistory.PlanningFooter);
        }

        // Most relevant first while they fit. Each turn's cost is counted once and kept with the turn; once nothing more can fit
        // (what is left is less than the smallest turn could take), the rest of the ranking is not walked.
        var kept = new List<(Message Turn, int Cost, int Rank, bool Cut)>();
        var ranked = selection.MostRelevantFirst;
        for (var rank = 0; rank < ranked.Count && remaining >= MinTurnTokens; rank++)
        {
            var turn = ranked[rank];
            var cost = Cost(turn, planning);
            if (cost <= remaining)
            {
                kept.Add((turn, cost, rank, false));
                remaining -= cost;
            }
            else if (kept.Count == 0 && CutToFit(turn, remaining, planning) is { } cut)
            {
                var cutCost = planning ? _tokenizer.CountTokens(MessageHistory.FormatTurnForPlanning(cut)) : TurnTokens(cut);
                kept.Add((cut, cutCost, rank, true));
                remaining -= cutCost;
            }
        }

        if (kept.Count < ranked.Count && selection.Relevance is null)
        {
            Log.ContextTrimmed(_logger, ranked.Count - kept.Count, ranked.Count, Options.MaxContextTokens);
        }

        // Parts are counted one by one; the whole is counted once more, and the least relevant turn leaves while it is over.
        var instructionCount = messages.Count;
        while (true)
        {
            var ordered = kept.OrderBy(static t => t.Turn.Id).ToList();
            messages.RemoveRange(instructionCount, messages.Count - instructionCount);
            if (ordered.Count == 0)
            {
                return Explain([], fixedTokens, []);
            }

            if (planning)
            {
                messages.Add(new ChatMessage(ChatRole.System, MessageHistory.FormatForPlanning(ordered.Select(static t => t.Turn))));
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
                    ordered.ConvertAll(t => new ExplainedTurn(t.Turn.Id, t.Cost, t.Rank + 1, relevance is not null && t.Rank < relevance.Count ? relevance[t.Rank] : null, t.Cut)),
                    total,
                    ordered.ConvertAll(static t => t.Turn));
            }

            kept.RemoveAt(kept.Count - 1);
        }
    }

    /// <summary>Whether the selector ranks every turn of the session (<see cref="MessageSelectionContext.WholeSession"/>).</summary>
    private bool RanksWholeSession(IMessageSelector selector) =>
        selector.GetCandidateCount(Options.MaxContextMessages) >= MessageSelectionContext.WholeSession;

    /// <summary>The fewest tokens a turn takes in the context (its framing, a short question and answer); below it, nothing more fits.</summary>
    private const int MinTurnTokens = 8;

    /// <summary>The tokens a turn takes in the context; the planning format's count is kept with the turn, so it is counted once.</summary>
    private int Cost(Message turn, bool planning)
    {
        if (!planning)
        {
            return TurnTokens(turn);
        }

        if (_planningCosts.TryGetValue(turn, out var known))
        {
            return known.Value;
        }

        var cost = _tokenizer.CountTokens(MessageHistory.FormatTurnForPlanning(turn));
        _planningCosts.AddOrUpdate(turn, new StrongBox<int>(cost));
        return cost;
    }

    /// <summary>The line that introduces the rolling summary in the context.</summary>
    internal static string RollingSummaryHeader(int throughTurnId) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Summary of this conversation's earlier turns (1 to {throughTurnId}), older than the turns below:\n");

    private static IEnumerable<ChatMessage> ReplayMessages(Message turn) =>
        turn.ChatMessages.Count > 0 ? turn.ChatMessages : MessageHistory.ToChatMessages([turn]);

    /// <summary>The tokens of a turn replayed as messages: stored with the turn when it was recorded, else counted now.</summary>
    private int TurnTokens(Message turn) => turn.TokenCount ?? ContextBudget.CountTokens(_tokenizer, ReplayMessages(turn));

    /// <summary>The turn with its answer cut at a token boundary so that it fits <paramref name="room"/>; <see langword="null"/> when even its query does not fit.</summary>
    private Message? CutToFit(Message turn, int room, bool planning)
    {
        var withoutAnswer = turn with { Answer = string.Empty, ChatMessages = [], TokenCount = null };
        var fixedCost = planning
            ? _tokenizer.CountTokens(MessageHistory.FormatTurnForPlanning(withoutAnswer))
            : ContextBudget.CountTokens(_tokenizer, MessageHistory.ToChatMessages([withoutAnswer]));
        var answerRoom = room - fixedCost;
        if (answerRoom <= _tokenizer.CountTokens(ContextBudget.CutMarker) + 1)
        {
            return null;
        }

        var cut = withoutAnswer with { Answer = ContextBudget.Cut(_tokenizer, turn.Answer, answerRoom - 1) };
        var cost = planning ? _tokenizer.CountTokens(MessageHistory.FormatTurnForPlanning(cut)) : ContextBudget.CountTokens(_tokenizer, MessageHistory.ToChatMessages([cut]));
        return cost <= room ? cut : null;
    }

    /// <summary>Makes, records and reports the turn once the model has answered.</summary>
    internal async Task<Message> CompleteAsync(SessionTurn turn, ChatResponse response, CancellationToken cancellationToken)
    {
        var answer = FinalText(response);

        // With a worker, a summarizer other than truncation (a model) runs after the turn is recorded; the turn is recorded with the
        // truncated summary first, so the time to the recorded turn does not depend on the summarizer.
        var summarizeLater = _worker is not null && turn.History is null && _summarizer is not TruncatingSummarizer;
        var (summary, summarizerFellBack) = summarizeLater
            ? (TruncatingSummarizer.Summarize(turn.Query, answer), false)
            : await SummarizeAsync(turn.Query, answer, cancellationToken).ConfigureAwait(false);
        var message = new Message
        {
            Query = turn.Query,
            Answer = answer,
            Summary = summary,
            CreatedAt = TimeProvider.GetUtcNow(),
            InputTokenCount = response.Usage?.InputTokenCount,
            OutputTokenCount = response.Usage?.OutputTokenCount,
            ResponseTime = TimeProvider.GetElapsedTime(turn.StartTimestamp),
            ChatMessages = ForStorage([.. turn.Exchange, .. response.Messages]),
            SummarizerFellBack = summarizerFellBack,
            SelectorFellBack = turn.SelectorFellBack,
        };
        message = message with
        {
            TokenCount = ContextBudget.CountTokens(_tokenizer, message.ChatMessages),
            Embedding = turn.QueryEmbedding, // the query's vector, computed by the selection: the turn is not embedded on the answer's path
        };

        var selector = SelectorOf(turn.History);
        try
        {
            message = await selector.PrepareTurnAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.PrepareFallback(_logger, selector.GetType().Name, ex);
        }

        Message recorded;
        if (turn.History is { } history)
        {
            cancellationToken.ThrowIfCancellationRequested(); // as a store's append does: a turn cancelled before it is added adds nothing
            recorded = history.Add(message);
        }
        else
        {
            recorded = turn.SessionExisted
                ? await Store.AppendToExistingAsync(turn.SessionId!, message, cancellationToken).ConfigureAwait(false)
                    ?? throw SessionDeletedException.TurnNotRecorded(turn.SessionId!)
                : await Store.AppendAsync(turn.SessionId!, message, cancellationToken).ConfigureAwait(false);
        }

        var seconds = TimeProvider.GetElapsedTime(turn.StartTimestamp).TotalSeconds;
        DexterSessionsTelemetry.TurnRecorded(recorded, seconds, turn.Activity);
        Log.TurnRecorded(_logger, turn.SessionId ?? "(history)", recorded.Id, seconds * 1000);
        Log.TurnContent(_logger, turn.SessionId ?? "(history)", recorded.Id, recorded.Query, recorded.Answer);
        if (turn.SessionId is { } sessionId)
        {
            _turns.Recorded(sessionId, recorded);
            await FollowUpAsync(sessionId, recorded, summarizeLater, cancellationToken).ConfigureAwait(false);
        }
        else if (turn.History is { } ownHistory && selector is ITurnIndexer { IndexesTurns: true } historyIndexer &&
            await IndexQuietlyAsync(historyIndexer, recorded, cancellationToken).ConfigureAwait(false) is { } indexed)
        {
            ownHistory.UpdateEmbeddings([indexed]);
        }

        return recorded;
    }

    /// <summary>
    /// The work after a recorded turn: the model's summary of it (when deferred) and the rolling summary. Queued on the worker when there
    /// is one, else done now; it never fails the turn, which is recorded already.
    /// </summary>
    private async Task FollowUpAsync(string sessionId, Message recorded, bool summarize, CancellationToken cancellationToken)
    {
        var fold = Options.RollingSummary && recorded.Id > RecentWindow;
        var indexer = _selector as ITurnIndexer is { IndexesTurns: true } selectorIndexer ? selectorIndexer : null;
        if (!summarize && !fold && indexer is null)
        {
            return;
        }

        if (_worker is null)
        {
            try
            {
                if (indexer is not null)
                {
                    await IndexRecordedAsync(indexer, sessionId, recorded, cancellationToken).ConfigureAwait(false);
                }

                if (fold)
                {
                    await FoldAsync(sessionId, recorded.Id, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The turn is recorded; the caller's cancellation only stops the fold, which the next turn does.
                Log.FollowUpCancelled(_logger, sessionId, recorded.Id);
            }
            catch (Exception ex)
            {
                Log.FollowUpFailed(_logger, sessionId, recorded.Id, ex);
            }

            return;
        }

        try
        {
            await _worker.EnqueueAsync(
                async token =>
                {
                    if (indexer is not null)
                    {
                        await IndexRecordedAsync(indexer, sessionId, recorded, token).ConfigureAwait(false);
                    }

                    if (summarize)
                    {
                        await SummarizeRecordedAsync(sessionId, recorded, token).ConfigureAwait(false);
                    }

                    if (fold)
                    {
                        await FoldAsync(sessionId, recorded.Id, token).ConfigureAwait(false);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled while the queue was full: the turn keeps its short summary, and the next turn folds what this one would have.
            Log.FollowUpNotQueued(_logger, sessionId, recorded.Id);
        }
    }

    /// <summary>Computes what the selector keeps from the whole recorded turn (its vector) and stores it with the turn.</summary>
    private async Task IndexRecordedAsync(ITurnIndexer indexer, string sessionId, Message recorded, CancellationToken cancellationToken)
    {
        if (await IndexQuietlyAsync(indexer, recorded, cancellationToken).ConfigureAwait(false) is not { } indexed)
        {
            return;
        }

        await Store.UpdateEmbeddingsAsync(sessionId, [indexed], cancellationToken).ConfigureAwait(false);
        _turns.Updated(sessionId, [indexed]);
    }

    private async Task<Message?> IndexQuietlyAsync(ITurnIndexer indexer, Message recorded, CancellationToken cancellationToken)
    {
        try
        {
            return await indexer.IndexTurnAsync(recorded, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.PrepareFallback(_logger, indexer.GetType().Name, ex);
            return null;
        }
    }

    /// <summary>Writes the summarizer's summary of a recorded turn over the short one it was recorded with.</summary>
    private async Task SummarizeRecordedAsync(string sessionId, Message recorded, CancellationToken cancellationToken)
    {
        var (summary, fellBack) = await SummarizeAsync(recorded.Query, recorded.Answer, cancellationToken).ConfigureAwait(false);
        if (fellBack || string.Equals(summary, recorded.Summary, StringComparison.Ordinal))
        {
            return;
        }

        if (!await Store.UpdateTurnSummaryAsync(sessionId, recorded.Id, summary, cancellationToken).ConfigureAwait(false))
        {
            Log.TurnSummaryNotWritten(_logger, sessionId, recorded.Id);
        }
    }

    /// <summary>
    /// Folds the turns that have left the recent window since the rolling summary was last written into it: the previous summary and
    /// those turns only. The write is a compare-and-set on the turn id the summary covers, so of two concurrent updates one wins and
    /// the other starts again from it; no folded turn is lost. A summarizer that fails keeps the previous summary.
    /// </summary>
    internal async Task FoldAsync(string sessionId, int lastTurnId, CancellationToken cancellationToken)
    {
        var window = RecentWindow;
        var through = lastTurnId - window;
        for (var attempt = 0; attempt < 3 && through >= 1; attempt++)
        {
            var current = await Store.GetSummaryAsync(sessionId, cancellationToken).ConfigureAwait(false);
            var covered = current?.ThroughTurnId ?? 0;
            if (covered >= through)
            {
                return;
            }

            // Read back to the first turn not covered yet. Turns appended since this turn shift "the latest n": read again, further.
            var read = Math.Min(lastTurnId - covered, window + MaxFoldTurns);
            var recent = await Store.GetRecentAsync(sessionId, read, cancellationToken).ConfigureAwait(false);
            for (var again = 0; again < 3 && recent.Count == read && recent[0].Id > covered + 1 && read < window + MaxFoldTurns; again++)
            {
                read = Math.Min(recent[^1].Id - covered, window + MaxFoldTurns);
                recent = await Store.GetRecentAsync(sessionId, read, cancellationToken).ConfigureAwait(false);
            }

            var turns = recent.Where(t => t.Id > covered && t.Id <= through).OrderBy(static t => t.Id).ToList();
            if (turns.Count == 0)
            {
                return; // the session was deleted, or its older turns are gone
            }

            if (turns[0].Id > covered + 1 && recent.Count == read)
            {
                if (read < window + MaxFoldTurns)
                {
                    return; // appends keep racing ahead of the reads: a later turn folds these, never with a gap
                }

                Log.FoldSkipped(_logger, sessionId, covered + 1, turns[0].Id - 1);
            }

            string text;
            try
            {
                await UseFinalSummariesAsync(turns, cancellationToken).ConfigureAwait(false);
                text = await FoldTurnsAsync(current?.Text, turns, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                DexterSessionsTelemetry.SummarizerFallbacks.Add(1, new KeyValuePair<string, object?>("reason", "rolling:" + ex.GetType().Name));
                Log.RollingSummaryFailed(_logger, _rollingSummarizer.GetType().Name, sessionId, covered, ex);
                return;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                Log.RollingSummaryEmpty(_logger, _rollingSummarizer.GetType().Name, sessionId);
                return;
            }

            if (_tokenizer.CountTokens(text) > Options.RollingSummaryMaxTokens)
            {
                text = ContextBudget.Cut(_tokenizer, text, Options.RollingSummaryMaxTokens);
            }

            var folded = new SessionSummary(text, turns[^1].Id, TimeProvider.GetUtcNow());
            if (await Store.TrySetSummaryAsync(sessionId, folded, covered, cancellationToken).ConfigureAwait(false))
            {
                Log.RollingSummaryUpdated(_logger, sessionId, turns.Count, folded.ThroughTurnId);
                return;
            }

            // Another turn's update got there first: start again from the summary it wrote.
        }
    }

    /// <summary>
    /// With summaries written after the turn (a model, on the worker), a turn may be folded before its own summary is written: it
    /// is summarized here, so that the rolling summary holds the summarizer's summary of every turn whatever the timing, and the
    /// same turns give the same summary. The turn's own work writes its summary to the store.
    /// </summary>
    private async Task UseFinalSummariesAsync(List<Message> turns, CancellationToken cancellationToken)
    {
        if (_worker is null || _summarizer is TruncatingSummarizer)
        {
            return;
        }

        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (string.Equals(turn.Summary, TruncatingSummarizer.Summarize(turn.Query, turn.Answer), StringComparison.Ordinal))
            {
                var (summary, _) = await SummarizeAsync(turn.Query, turn.Answer, cancellationToken).ConfigureAwait(false);
                turns[i] = turn with { Summary = summary };
            }
        }
    }

    /// <summary>
    /// Folds turns into the summary. The extractive summarizer folds them one at a time, so that the summary depends only on the
    /// turns, not on how many the worker found waiting at once: the same turns give the same summary, however they were timed. A
    /// model folds them in one call.
    /// </summary>
    private async ValueTask<string> FoldTurnsAsync(string? previous, List<Message> turns, CancellationToken cancellationToken)
    {
        if (_rollingSummarizer is not ExtractiveRollingSummarizer extractive)
        {
            return await _rollingSummarizer.FoldAsync(previous, turns, Options.RollingSummaryMaxTokens, cancellationToken).ConfigureAwait(false);
        }

        var text = previous;
        foreach (var turn in turns)
        {
            cancellationToken.ThrowIfCancellationRequested();
            text = extractive.Fold(text, [turn], Options.RollingSummaryMaxTokens);
        }

        return text ?? string.Empty;
    }

    /// <summary>Logs a turn that recorded nothing: a cancellation when the caller cancelled it, otherwise a failure
    /// (a model call that timed out on its own throws <see cref="OperationCanceledException"/> too, and is a failure).</summary>
    internal void Failed(SessionTurn turn, Exception exception, CancellationToken cancellationToken)
    {
        turn.Activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        turn.Activity?.SetTag("error.type", exception.GetType().FullName);
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            Log.TurnCancelled(_logger, turn.SessionId ?? "(history)");
        }
        else
        {
            Log.TurnFailed(_logger, turn.SessionId ?? "(history)", exception);
        }
    }

    /// <summary>
    /// The messages to keep with the turn. Additional properties whose values are not plain JSON values (such as Agent Framework's
    /// message attribution) are left out, so that every store can persist the messages.
    /// </summary>
    private static ChatMessage[] ForStorage(List<ChatMessage> messages)
    {
        var result = new ChatMessage[messages.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var message = messages[i];
            if (message.AdditionalProperties is { Count: > 0 } properties && properties.Any(static p => !IsPlainJsonValue(p.Value)))
            {
                message = message.Clone();
                var kept = new AdditionalPropertiesDictionary();
                foreach (var (key, value) in properties)
                {
                    if (IsPlainJsonValue(value))
                    {
                        kept[key] = value;
                    }
                }

                message.AdditionalProperties = kept.Count == 0 ? null : kept;
            }

            result[i] = message;
        }

        return result;
    }

    private static bool IsPlainJsonValue(object? value) =>
        value is null or string or bool or int or long or double or float or decimal or System.Text.Json.JsonElement;

    /// <summary>The answer of a response: the text of its last message that has text (the final answer after any function calls).</summary>
    private static string FinalText(ChatResponse response)
    {
        for (var i = response.Messages.Count - 1; i >= 0; i--)
        {
            var message = response.Messages[i];
            if (message.Role != ChatRole.User && message.Role != ChatRole.Tool && message.Text is { Length: > 0 } text)
            {
                return text;
            }
        }

        return response.Text;
    }

    private async Task<(string Summary, bool FellBack)> SummarizeAsync(string query, string answer, CancellationToken cancellationToken)
    {
        try
        {
            return (await _summarizer.SummarizeAsync(query, answer, cancellationToken).ConfigureAwait(false), false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            DexterSessionsTelemetry.SummarizerFallbacks.Add(1, new KeyValuePair<string, object?>("reason", ex.GetType().Name));
            Log.SummaryFallback(_logger, _summarizer.GetType().Name, ex);
            return (TruncatingSummarizer.Summarize(query, answer), true);
        }
    }

    private static Activity? StartActivity(string? sessionId)
    {
        if (!DexterSessionsTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = DexterSessionsTelemetry.ActivitySource.StartActivity(DexterSessionsTelemetry.TurnActivityName, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag("gen_ai.operation.name", "invoke_agent");
            if (sessionId is not null)
            {
                activity.SetTag(DexterSessionsTelemetry.ConversationIdTag, sessionId);
                DexterSessionsTelemetry.TagModelSpans();
            }
        }

        return activity;
    }
}
