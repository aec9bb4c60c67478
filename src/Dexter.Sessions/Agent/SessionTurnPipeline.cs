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
/// <para>A turn over a caller's <see cref="MessageHistory"/> takes the same path, over a store of that one history.</para>
/// <para>A turn is recorded only by <see cref="SessionTurn.CompleteAsync"/>; a turn that is failed or disposed without completing
/// records nothing. A failing selector or summarizer never fails a turn: it falls back and logs a warning.</para>
/// </remarks>
public sealed partial class SessionTurnPipeline
{
    private readonly IMessageSelector _selector;
    private readonly SessionContextBuilder _context;

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
        var log = logger ?? (ILogger)NullLogger.Instance;
        var tokenizer = Options.Tokenizer ?? ContextBudget.DefaultTokenizer;
        summarizer ??= TruncatingSummarizer.Instance;
        var summaryWorker = Options.BackgroundSummaries ? worker : null;
        _context = new SessionContextBuilder(Options, tokenizer, log);
        var folder = new RollingSummaryFolder(
            store, Options, tokenizer, rollingSummarizer ?? new ExtractiveRollingSummarizer(tokenizer), summarizer,
            summariesDeferred: summaryWorker is not null && summarizer is not TruncatingSummarizer, TimeProvider, log);
        Recorder = new SessionTurnRecorder(Options, summarizer, tokenizer, summaryWorker, _context.Turns, folder, TimeProvider, log);
    }

    /// <summary>Gets the store turns are read from and recorded in.</summary>
    public ISessionStore Store { get; }

    /// <summary>Gets the options.</summary>
    public DexterSessionsOptions Options { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets what ends every turn of the pipeline (records it, or reports that it recorded nothing).</summary>
    internal SessionTurnRecorder Recorder { get; }

    /// <summary>Drops what this process holds of a session's turns, after its turns were removed (a rewind).</summary>
    internal void ForgetTurns(string sessionId) => _context.Turns.Forget(sessionId);

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
        return BeginCoreAsync(Store, sessionId, _selector, Options.MaxContextMessages, requestMessages, explainOnly: false, cancellationToken);
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
        return BeginCoreAsync(
            new MessageHistorySessionStore(history), MessageHistorySessionStore.SessionId, history.ExplicitSelector ?? _selector, history.MaxContextMessages,
            requestMessages, explainOnly: false, cancellationToken);
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
        using var turn = await BeginCoreAsync(
            Store, sessionId, _selector, Options.MaxContextMessages, [new ChatMessage(ChatRole.User, query)], explainOnly: true, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Begins a turn of session <paramref name="sessionId"/> of <paramref name="store"/>: finds the user's message, then builds the
    /// context into the turn. A turn that fails to begin is reported and ended, recording nothing.
    /// </summary>
    private async Task<SessionTurn> BeginCoreAsync(
        ISessionStore store, string sessionId, IMessageSelector selector, int maxContextMessages, IEnumerable<ChatMessage> requestMessages,
        bool explainOnly, CancellationToken cancellationToken)
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
        var turn = new SessionTurn(Recorder, store, sessionId, selector, maxContextMessages, query, turnMessages, TimeProvider.GetTimestamp());
        if (!explainOnly)
        {
            turn.StartActivity();
        }

        try
        {
            await _context.BuildAsync(turn, cancellationToken).ConfigureAwait(false);
            return turn;
        }
        catch (Exception ex)
        {
            turn.Fail(ex, cancellationToken);
            turn.Dispose();
            throw;
        }
    }
}
