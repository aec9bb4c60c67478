using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <summary>
/// One turn in progress, begun by <see cref="SessionTurnPipeline.BeginTurnAsync(string, IEnumerable{ChatMessage}, CancellationToken)"/>:
/// the selected context, and the messages to give the model. Complete it with the model's response to record it; dispose it in
/// every case (a turn disposed without completing records nothing).
/// </summary>
public sealed class SessionTurn : IDisposable
{
    private readonly SessionTurnRecorder _recorder;
    private int _state; // 0 open, 1 completed or failed

    internal SessionTurn(
        SessionTurnRecorder recorder, ISessionStore store, string storeSessionId, IMessageSelector selector, int maxContextMessages,
        string query, IReadOnlyList<ChatMessage> requestMessages, long startTimestamp)
    {
        _recorder = recorder;
        Store = store;
        StoreSessionId = storeSessionId;
        Selector = selector;
        MaxContextMessages = maxContextMessages;
        Query = query;
        RequestMessages = requestMessages;
        Exchange = [.. requestMessages];
        StartTimestamp = startTimestamp;
    }

    /// <summary>Gets the session, or <see langword="null"/> for a turn over a <see cref="MessageHistory"/>.</summary>
    public string? SessionId => OverCallersHistory ? null : StoreSessionId;

    /// <summary>Gets the query: the text of the turn's user message.</summary>
    public string Query { get; }

    /// <summary>Gets this turn's messages from the caller: the user's message, then any function calls and results since it.</summary>
    public IReadOnlyList<ChatMessage> RequestMessages { get; }

    /// <summary>Gets the past turns selected as context, in chronological order.</summary>
    public IReadOnlyList<Message> Context { get; private set; } = [];

    /// <summary>
    /// Gets the messages that go before the caller's messages: the instructions, then the selected turns
    /// (see <see cref="DexterSessionsOptions.ContextMode"/>).
    /// </summary>
    public IReadOnlyList<ChatMessage> ContextMessages { get; private set; } = [];

    /// <summary>Gets the activity that traces the turn, when anyone listens.</summary>
    public Activity? Activity { get; private set; }

    /// <summary>Gets the store the turn reads its session from and is recorded in: the pipeline's, or one over a caller's history.</summary>
    internal ISessionStore Store { get; }

    /// <summary>Gets the session's id in <see cref="Store"/>.</summary>
    internal string StoreSessionId { get; }

    /// <summary>
    /// Gets whether the turn is over a caller's <see cref="MessageHistory"/> (<see cref="MessageHistorySessionStore"/>): every such
    /// history has the same id, so the turn keeps out of the caches keyed by session id, and no work follows it.
    /// </summary>
    internal bool OverCallersHistory => Store is MessageHistorySessionStore;

    /// <summary>Gets the selector that chooses the turn's context and prepares the turn to be recorded.</summary>
    internal IMessageSelector Selector { get; }

    /// <summary>Gets how many of the latest turns the selection considers at least (the session's window).</summary>
    internal int MaxContextMessages { get; }

    /// <summary>Whether the session existed when the turn began; such a turn is recorded only while the session still exists.</summary>
    internal bool SessionExisted { get; set; }

    /// <summary>The turn's exchange so far: the request messages, then what earlier model rounds of this turn produced and answered.</summary>
    internal List<ChatMessage> Exchange { get; }

    internal long StartTimestamp { get; }

    /// <summary>Makes the messages to send to the model: <see cref="ContextMessages"/>, then <paramref name="conversation"/>.</summary>
    /// <param name="conversation">The caller's messages; <see cref="RequestMessages"/> when <see langword="null"/>.</param>
    /// <returns>A new list.</returns>
    public List<ChatMessage> CreateModelInput(IEnumerable<ChatMessage>? conversation = null)
    {
        var messages = new List<ChatMessage>(ContextMessages);
        messages.AddRange(conversation ?? RequestMessages);
        return messages;
    }

    /// <summary>
    /// Records the turn: the query, the final answer of <paramref name="response"/>, its summary, usage and timing, and the whole
    /// exchange (<see cref="RequestMessages"/>, any earlier rounds of function calls and results, then the response's messages),
    /// with the id the store assigns.
    /// </summary>
    /// <param name="response">The model's response.</param>
    /// <param name="cancellationToken">A token to cancel; a turn cancelled before it is recorded records nothing.</param>
    /// <returns>The recorded turn.</returns>
    /// <exception cref="InvalidOperationException">The turn was already completed or failed.</exception>
    public async Task<Message> CompleteAsync(ChatResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Interlocked.Exchange(ref _state, 1) != 0)
        {
            throw new InvalidOperationException("This turn was already completed or failed; begin a new turn for the next query.");
        }

        try
        {
            var recorded = await _recorder.RecordAsync(this, response, cancellationToken).ConfigureAwait(false);
            Activity?.SetTag("dexter.message.id", recorded.Id);
            return recorded;
        }
        catch (Exception ex)
        {
            _recorder.RecordFailure(this, ex, cancellationToken);
            throw;
        }
    }

    /// <summary>Gets the response assembled from the updates of <see cref="ObserveAsync"/>, once its stream has ended.</summary>
    public ChatResponse? StreamedResponse { get; private set; }

    /// <summary>
    /// Passes the model's streaming updates on as they come and keeps them, so <see cref="StreamedResponse"/> holds the whole
    /// response once the stream ends; an exception from the stream fails the turn and reaches the caller.
    /// </summary>
    /// <remarks>
    /// A stream the caller stops after the model wrote some text — <paramref name="cancellationToken"/> cancelled, or the enumeration
    /// left before its end — records the turn with the answer so far, marked <see cref="Message.Interrupted"/>, when
    /// <see cref="DexterSessionsOptions.RecordInterruptedTurns"/> is on; a cancellation then throws <see cref="TurnInterruptedException"/>.
    /// A stream that fails (rather than being stopped) records nothing.
    /// </remarks>
    /// <param name="updates">The model's stream.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The same updates.</returns>
    public async IAsyncEnumerable<ChatResponseUpdate> ObserveAsync(IAsyncEnumerable<ChatResponseUpdate> updates, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var kept = new List<ChatResponseUpdate>();
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        var ended = false;
        try
        {
            while (true)
            {
                OperationCanceledException? stopped = null;
                try
                {
                    MakeCurrent(); // each step of an iterator runs in its consumer's flow: the model's stream steps under the turn
                    cancellationToken.ThrowIfCancellationRequested(); // a stop between updates, whether or not the model watches the token
                    stream ??= updates.GetAsyncEnumerator(cancellationToken);
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        ended = true;
                        break;
                    }
                }
                catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
                {
                    stopped = ex;
                }
                catch (Exception ex)
                {
                    Fail(ex, cancellationToken);
                    throw;
                }

                if (stopped is not null)
                {
                    ended = true;
                    throw await StopAsync(kept.ToChatResponse(), stopped, cancellationToken).ConfigureAwait(false);
                }

                kept.Add(stream!.Current);
                yield return stream.Current;
            }
        }
        finally
        {
            try
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                if (!ended)
                {
                    // The caller left the stream before its end: a stop, with what the model wrote so far.
                    await StopAsync(kept.ToChatResponse(), cause: null, new CancellationToken(canceled: true)).ConfigureAwait(false);
                }
            }
        }

        StreamedResponse = kept.ToChatResponse();
    }

    /// <summary>
    /// Ends a turn its caller stopped (a cancelled token, a client that went away, a stream left before its end): records it with the
    /// text the model wrote in <paramref name="partial"/>, marked <see cref="Message.Interrupted"/>, when there is such text and
    /// <see cref="DexterSessionsOptions.RecordInterruptedTurns"/> is on; otherwise records nothing, as <see cref="Fail"/> does.
    /// </summary>
    /// <remarks>
    /// Of <paramref name="partial"/>, the text is kept, and the function calls answered within it with their results: a call cut off
    /// with the stream has no result. The recording does
    /// not take the caller's token, which is cancelled already; a store that fails is logged, and gives <see langword="null"/>.
    /// </remarks>
    /// <param name="partial">What the model wrote before the stop (for example the updates so far, with <c>ToChatResponse()</c>).</param>
    /// <returns>The recorded turn, or <see langword="null"/> when nothing was recorded (also when the turn was completed or failed before).</returns>
    public async Task<Message?> InterruptAsync(ChatResponse partial)
    {
        ArgumentNullException.ThrowIfNull(partial);
        if (!_recorder.RecordsInterruptedTurns || !SessionTurnRecorder.HasAnswerText(partial))
        {
            Fail(new OperationCanceledException(), new CancellationToken(canceled: true));
            return null;
        }

        if (Interlocked.Exchange(ref _state, 1) != 0)
        {
            return null;
        }

        var recorded = await _recorder.RecordInterruptedAsync(this, partial).ConfigureAwait(false);
        if (recorded is not null)
        {
            Activity?.SetTag("dexter.message.id", recorded.Id);
        }

        return recorded;
    }

    /// <summary>Stops the turn as <see cref="InterruptAsync"/> does, and makes the exception its caller sees.</summary>
    /// <returns><see cref="TurnInterruptedException"/> when the turn was recorded, else <paramref name="cause"/> (or a new cancellation).</returns>
    internal async Task<OperationCanceledException> StopAsync(ChatResponse partial, OperationCanceledException? cause, CancellationToken cancellationToken)
    {
        var recorded = await InterruptAsync(partial).ConfigureAwait(false);
        return recorded is null
            ? cause ?? new OperationCanceledException(cancellationToken)
            : new TurnInterruptedException(recorded, SessionId, cause, cancellationToken);
    }

    /// <summary>
    /// After the model's stream ended: when <paramref name="cancellationToken"/> was cancelled meanwhile, the turn is stopped as in
    /// <see cref="ObserveAsync"/> (recorded with <see cref="StreamedResponse"/>, marked interrupted) and the cancellation thrown.
    /// </summary>
    internal async Task ThrowIfStoppedAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            throw await StopAsync(StreamedResponse ?? new ChatResponse(), cause: null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks the turn as failed: nothing is recorded; the failure is logged and traced (a cancellation as such).</summary>
    /// <param name="exception">What failed.</param>
    /// <param name="cancellationToken">The caller's token, to tell a cancellation from a failure.</param>
    public void Fail(Exception exception, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Interlocked.Exchange(ref _state, 1) == 0)
        {
            _recorder.RecordFailure(this, exception, cancellationToken);
        }
    }

    /// <summary>Ends the turn's activity. A turn that was not completed records nothing.</summary>
    public void Dispose() => Activity?.Dispose();

    /// <summary>Goes on with the turn after a model round left function calls unanswered: keeps what it produced and the results.</summary>
    internal void Continue(IEnumerable<ChatMessage> produced, IEnumerable<ChatMessage> results)
    {
        Exchange.AddRange(produced);
        Exchange.AddRange(results);
    }

    /// <summary>Starts the activity that traces the turn, when anyone listens; an explanation of the context is not traced.</summary>
    internal void StartActivity()
    {
        if (!DexterSessionsTelemetry.ActivitySource.HasListeners())
        {
            return;
        }

        Activity = DexterSessionsTelemetry.ActivitySource.StartActivity(DexterSessionsTelemetry.TurnActivityName, ActivityKind.Internal);
        if (Activity is not null)
        {
            Activity.SetTag("gen_ai.operation.name", "invoke_agent");
            if (SessionId is not null)
            {
                Activity.SetTag(DexterSessionsTelemetry.ConversationIdTag, SessionId);
                DexterSessionsTelemetry.TagModelSpans();
            }
        }
    }

    /// <summary>
    /// Makes the turn's activity the current one in the caller's async flow, so the model's spans become its children; the turn
    /// begins in an async method, whose change of <see cref="Activity.Current"/> does not outlive it.
    /// </summary>
    internal void MakeCurrent()
    {
        if (Activity is not null)
        {
            Activity.Current = Activity;
        }
    }

    /// <summary>Gets the session's rolling summary given to the model at the start of the context, or <see langword="null"/> when there was none.</summary>
    public SessionSummary? RollingSummary { get; internal set; }

    /// <summary>Gets or sets whether the selector failed and the latest turns were used as context; recorded with the turn.</summary>
    internal bool SelectorFellBack { get; set; }

    /// <summary>Gets or sets the key the turn is recorded once by (<see cref="Message.TurnKey"/>), or <see langword="null"/>.</summary>
    internal string? TurnKey { get; set; }

    /// <summary>Gets what the model receives before this turn's messages and why: each past turn's id, tokens and score parts.</summary>
    public ContextExplanation Explanation { get; private set; } = null!;

    /// <summary>The query's vector, when the selection computed one; the turn is recorded with it.</summary>
    internal ReadOnlyMemory<float> QueryEmbedding { get; set; }

    /// <summary>Keeps the built context, and traces which turns are in it.</summary>
    internal void SetContext(ContextExplanation explanation)
    {
        var context = explanation.ContextTurns;
        Explanation = explanation;
        Context = context;
        ContextMessages = explanation.Messages;
        if (Activity is { } activity)
        {
            activity.SetTag("dexter.context.turns", context.Count);
            activity.SetTag("dexter.context.turn_ids", explanation.Turns.Select(static t => t.TurnId).ToArray());
            activity.SetTag("dexter.context.turn_tokens", explanation.Turns.Select(static t => t.Tokens).ToArray());
            activity.SetTag("dexter.context.tokens", explanation.TokenCount);
        }
    }
}
