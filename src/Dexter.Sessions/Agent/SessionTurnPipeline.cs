using System.Diagnostics;
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
    private readonly SessionContextBuilder _context;
    private readonly RollingSummaryFolder _folder;

    /// <summary>How many turns one update of the rolling summary folds at most; a summary further behind skips the oldest (with a warning).</summary>
    internal const int MaxFoldTurns = RollingSummaryFolder.MaxFoldTurns;

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
        _context = new SessionContextBuilder(store, Options, _tokenizer, _logger);
        _folder = new RollingSummaryFolder(
            store, Options, _tokenizer, _rollingSummarizer, _summarizer, summariesDeferred: _worker is not null && _summarizer is not TruncatingSummarizer,
            TimeProvider, _logger);
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
    /// (the history is the conversation; nothing is stored). The history's own limit
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
            var built = await _context.BuildAsync(sessionId, history, SelectorOf(history), query, cancellationToken).ConfigureAwait(false);
            turn.SessionExisted = built.SessionExisted;
            turn.SelectorFellBack = built.SelectorFellBack;
            turn.RollingSummary = built.RollingSummary;
            turn.QueryEmbedding = built.QueryEmbedding;
            turn.SetContext(built.Explanation, built.Explanation.ContextTurns);
            return turn;
        }
        catch (Exception ex)
        {
            turn.Fail(ex, cancellationToken);
            turn.Dispose();
            throw;
        }
    }

    /// <summary>The selector of a turn: a history's own when it was given one, else the pipeline's.</summary>
    private IMessageSelector SelectorOf(MessageHistory? history) => history?.ExplicitSelector ?? _selector;

    /// <summary>The line that introduces the rolling summary in the context.</summary>
    internal static string RollingSummaryHeader(int throughTurnId) => SessionContextBuilder.RollingSummaryHeader(throughTurnId);

    /// <summary>Folds the turns that left the recent window into the session's rolling summary.</summary>
    internal Task FoldAsync(string sessionId, int lastTurnId, CancellationToken cancellationToken) =>
        _folder.FoldAsync(sessionId, lastTurnId, cancellationToken);

    /// <summary>Drops what this process holds of a session's turns, after its turns were removed (a rewind).</summary>
    internal void ForgetTurns(string sessionId) => _context.Turns.Forget(sessionId);

    /// <summary>Makes, records and reports the turn once the model has answered.</summary>
    internal async Task<Message> CompleteAsync(SessionTurn turn, ChatResponse response, CancellationToken cancellationToken)
    {
        var answer = FinalText(response);

        // With a worker, a summarizer other than truncation (a model) runs after the turn is recorded; the turn is recorded with the
        // truncated summary first, so the time to the recorded turn does not depend on the summarizer.
        var summarizeLater = _worker is not null && turn.History is null && _summarizer is not TruncatingSummarizer;
        var (summary, summarizerFellBack) = summarizeLater
            ? (TruncatingSummarizer.Summarize(turn.Query, answer), false)
            : await TurnSummaries.SummarizeAsync(_summarizer, _logger, turn.Query, answer, cancellationToken).ConfigureAwait(false);
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
            TurnKey = turn.TurnKey,
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
            if (message.TurnKey is not null && (recorded.CreatedAt != message.CreatedAt || recorded.Answer != message.Answer))
            {
                return recorded; // a concurrent run with the same key recorded its turn first: that turn is the answer
            }
        }

        var seconds = TimeProvider.GetElapsedTime(turn.StartTimestamp).TotalSeconds;
        DexterSessionsTelemetry.TurnRecorded(recorded, seconds, turn.Activity);
        Log.TurnRecorded(_logger, turn.SessionId ?? "(history)", recorded.Id, seconds * 1000);
        Log.TurnContent(_logger, turn.SessionId ?? "(history)", recorded.Id, recorded.Query, recorded.Answer);
        if (turn.SessionId is { } sessionId)
        {
            _context.Turns.Recorded(sessionId, recorded);
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
        var fold = Options.RollingSummary && recorded.Id > Options.MaxContextMessages;
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
        _context.Turns.Updated(sessionId, [indexed]);
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
        var (summary, fellBack) = await TurnSummaries.SummarizeAsync(_summarizer, _logger, recorded.Query, recorded.Answer, cancellationToken).ConfigureAwait(false);
        if (fellBack || string.Equals(summary, recorded.Summary, StringComparison.Ordinal))
        {
            return;
        }

        if (!await Store.UpdateTurnSummaryAsync(sessionId, recorded.Id, summary, cancellationToken).ConfigureAwait(false))
        {
            Log.TurnSummaryNotWritten(_logger, sessionId, recorded.Id);
        }
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
