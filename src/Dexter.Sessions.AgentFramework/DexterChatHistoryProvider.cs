using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dexter.Sessions.AgentFramework;

/// <summary>
/// An Agent Framework <see cref="ChatHistoryProvider"/> that keeps an agent's conversations in Dexter.Sessions: before each run it
/// gives the model the selected context of the agent session's Dexter.Sessions session, and after the run it records the turn
/// (the user's message, every tool call and result, the final answer), summarized, with the id the store assigns.
/// </summary>
/// <remarks>
/// <para>Set it as the agent's history provider with <c>new ChatClientAgentOptions { … }.UseDexterSessions(provider)</c>; one
/// instance serves every session of every agent that uses it. It is an adapter over <see cref="SessionTurnPipeline"/>, which owns
/// the turn: selection, context budget, summaries, the atomic append and telemetry are the same as for <c>DexterAgent</c>, the
/// chat-client middleware and the HTTP endpoints, and all of them can share one store and one session.</para>
/// <para>Each <see cref="AgentSession"/> maps to one Dexter.Sessions session, whose id lives in the session's state bag under
/// <see cref="StateKey"/>: a new agent session gets a new <see cref="SessionId"/> at its first run, and Agent Framework's own
/// <c>SerializeSessionAsync</c> / <c>DeserializeSessionAsync</c> keep it, so a conversation resumes in another process on a
/// persistent store. Read or set it with <see cref="DexterAgentSessionExtensions.GetDexterSessionId"/> and
/// <see cref="DexterAgentSessionExtensions.SetDexterSessionId"/>.</para>
/// <para>Only the run's new messages are recorded, never the context this provider supplied; a run that fails or is cancelled
/// records nothing, except a streamed run stopped after the model wrote text under an agent built with
/// <c>.AsBuilder().UseDexterInterruptedTurns()</c>, which is recorded with that text, marked <see cref="Message.Interrupted"/>. A run whose input has no user message with text (for example one that only answers a tool approval request)
/// gets no context and records nothing. Agent Framework calls no history provider for a session with a service-managed
/// <c>ConversationId</c>: make sessions with <c>agent.CreateSessionAsync()</c>, not <c>CreateSessionAsync(conversationId)</c>,
/// and do not also add the <c>UseDexterSessions()</c> chat-client middleware to the agent's chat client. Agent Framework
/// does not give history providers the model's token usage, so turns recorded here carry none.</para>
/// </remarks>
public sealed partial class DexterChatHistoryProvider : ChatHistoryProvider
{
    /// <summary>The key of the Dexter.Sessions session id in an <see cref="AgentSession"/>'s state bag.</summary>
    public const string StateKey = "DexterSessions";

    private static readonly IReadOnlyList<string> Keys = [StateKey];

    private readonly ILogger _logger;

    // Turns begun before the model call, found again after it by the run's user message (the same instance in both calls).
    // A queue, should two concurrent runs share one message instance. Entries go with the message.
    private readonly ConditionalWeakTable<ChatMessage, ConcurrentQueue<SessionTurn>> _pending = new();

    // The runs an InterruptedTurnAgent watches, by their user message: their turn lives in the capture, taken once.
    private readonly ConditionalWeakTable<ChatMessage, InterruptedTurnCapture> _captured = new();

    /// <summary>Initializes the provider.</summary>
    /// <param name="pipeline">The pipeline that owns each turn; <c>AddDexterSessions()</c> registers one.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    public DexterChatHistoryProvider(SessionTurnPipeline pipeline, ILogger<DexterChatHistoryProvider>? logger = null)
        : base(provideOutputMessageFilter: null, storeInputRequestMessageFilter: OnlyExternal, storeInputResponseMessageFilter: null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        Pipeline = pipeline;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Gets the pipeline that owns each turn.</summary>
    public SessionTurnPipeline Pipeline { get; }

    /// <inheritdoc />
    /// <value>One key, <see cref="StateKey"/>.</value>
    public override IReadOnlyList<string> StateKeys => Keys;

    /// <inheritdoc />
    /// <remarks>Also answers <see cref="SessionTurnPipeline"/>, and <see cref="ISessionStore"/> with the store turns are recorded in
    /// (so <c>agent.GetService&lt;ISessionStore&gt;()</c> finds it).</remarks>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            if (serviceType == typeof(SessionTurnPipeline))
            {
                return Pipeline;
            }

            if (serviceType == typeof(ISessionStore))
            {
                return Pipeline.Store;
            }
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>
    /// Begins the run's turn: reads the session's latest turns, selects the context for the user's message, and returns the
    /// context messages (the instructions, then the selected turns; see <see cref="DexterSessionsOptions.ContextMode"/>).
    /// </summary>
    /// <param name="context">The run: the agent, its session and the new input messages.</param>
    /// <param name="cancellationToken">A token to cancel the reads.</param>
    /// <returns>The messages that go before the run's input.</returns>
    /// <exception cref="ArgumentException">The user's message is longer than <see cref="DexterSessionsOptions.MaxQueryLength"/>.</exception>
    /// <exception cref="InvalidOperationException">The run has no agent session.</exception>
    protected override async ValueTask<IEnumerable<ChatMessage>> ProvideChatHistoryAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var session = RequireSession(context.Session);
        var sessionId = AgentSessionMapping.GetOrCreate(session, out var created);
        if (created)
        {
            Log.SessionStarted(_logger, sessionId);
        }

        var request = context.RequestMessages as IReadOnlyList<ChatMessage> ?? [.. context.RequestMessages];
        if (FindUserMessage(request) is not { } userMessage)
        {
            Log.NoUserMessage(_logger, sessionId);
            return [];
        }

        var turn = await Pipeline.BeginTurnAsync(sessionId, request, cancellationToken).ConfigureAwait(false);
        if (InterruptedTurnCapture.Current is { } capture && capture.TryClaim())
        {
            capture.Hold(turn);
            _captured.AddOrUpdate(userMessage, capture);
        }
        else
        {
            _pending.GetOrCreateValue(userMessage).Enqueue(turn);
        }

        return turn.ContextMessages;
    }

    /// <summary>Records the run's turn: its new input messages and every message of the response, with the final answer.</summary>
    /// <param name="context">The run's new input messages (never the supplied context) and response messages.</param>
    /// <param name="cancellationToken">A token to cancel; a turn cancelled before it is recorded records nothing.</param>
    /// <returns>A task that completes once the turn is recorded.</returns>
    /// <exception cref="InvalidOperationException">The run has no agent session.</exception>
    protected override async ValueTask StoreChatHistoryAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var session = RequireSession(context.Session);
        var request = context.RequestMessages as IReadOnlyList<ChatMessage> ?? [.. context.RequestMessages];
        if (!TryTakePending(request, out var turn))
        {
            if (FindUserMessage(request) is null)
            {
                return; // logged when the run began: nothing to record
            }

            // The run's start was not seen with these messages (a context provider replaced them, or per-service-call
            // persistence is on): record the turn all the same, begun now.
            var sessionId = AgentSessionMapping.GetOrCreate(session, out _);
            Log.TurnBegunAtEnd(_logger, sessionId);
            turn = await Pipeline.BeginTurnAsync(sessionId, request, cancellationToken).ConfigureAwait(false);
        }

        if (turn is null)
        {
            return; // the caller stopped the run meanwhile, and the turn was recorded as interrupted
        }

        using (turn)
        {
            await turn.CompleteAsync(new ChatResponse([.. context.ResponseMessages ?? []]), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>A failed run ends its turn unrecorded (the failure is logged and traced); a successful one is stored by
    /// <see cref="StoreChatHistoryAsync"/>.</remarks>
    protected override ValueTask InvokedCoreAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.InvokeException is { } exception)
        {
            var request = context.RequestMessages as IReadOnlyList<ChatMessage> ?? [.. context.RequestMessages];
            if (exception is OperationCanceledException && FindCapture(request) is not null)
            {
                // A watched run that was cancelled: InterruptedTurnAgent records it with what was streamed, or fails it.
                return default;
            }

            if (TryTakePending(request, out var turn) && turn is not null)
            {
                turn.Fail(exception, cancellationToken);
                turn.Dispose();
            }

            return default;
        }

        return base.InvokedCoreAsync(context, cancellationToken);
    }

    /// <summary>
    /// Takes the turn begun for the run with these messages: <see langword="false"/> when none was begun; <see langword="true"/> with
    /// a <see langword="null"/> turn when an <see cref="InterruptedTurnAgent"/> took it already (the caller stopped the run).
    /// </summary>
    private bool TryTakePending(IReadOnlyList<ChatMessage> request, out SessionTurn? turn)
    {
        if (FindCapture(request) is { } capture)
        {
            turn = capture.Take();
            return true;
        }

        for (var i = request.Count - 1; i >= 0; i--)
        {
            if (_pending.TryGetValue(request[i], out var turns) && turns.TryDequeue(out var pending))
            {
                turn = pending;
                return true;
            }
        }

        turn = null;
        return false;
    }

    private InterruptedTurnCapture? FindCapture(IReadOnlyList<ChatMessage> request)
    {
        for (var i = request.Count - 1; i >= 0; i--)
        {
            if (_captured.TryGetValue(request[i], out var capture))
            {
                return capture;
            }
        }

        return null;
    }

    /// <summary>
    /// Records the turn of a watched run its caller stopped, with the text streamed so far, marked interrupted; nothing when the
    /// turn was recorded or failed before, or no text was streamed.
    /// </summary>
    internal async Task<Message?> InterruptAsync(InterruptedTurnCapture capture)
    {
        if (capture.Take() is not { } turn)
        {
            return null;
        }

        using (turn)
        {
            return await turn.InterruptAsync(capture.Partial()).ConfigureAwait(false);
        }
    }

    /// <summary>Fails the turn of a watched run that failed (rather than being stopped): nothing is recorded.</summary>
    internal void Fail(InterruptedTurnCapture capture, Exception exception, CancellationToken cancellationToken)
    {
        if (capture.Take() is { } turn)
        {
            turn.Fail(exception, cancellationToken);
            turn.Dispose();
        }
    }

    /// <summary>The turn's user message: the last one with the user role, when it has text.</summary>
    private static ChatMessage? FindUserMessage(IReadOnlyList<ChatMessage> messages)
    {
        var index = SessionTurnPipeline.IndexOfLastUserMessage(messages);
        return index >= 0 && !string.IsNullOrWhiteSpace(messages[index].Text) ? messages[index] : null;
    }

    private static AgentSession RequireSession(AgentSession? session) =>
        session ?? throw new InvalidOperationException(
            "DexterChatHistoryProvider records the turns of an agent session, but this run has none. Run the agent with a session " +
            "(ChatClientAgent creates one when none is given).");

    /// <summary>Keeps the run's own messages: neither the supplied history nor messages added by context providers.</summary>
    private static IEnumerable<ChatMessage> OnlyExternal(IEnumerable<ChatMessage> messages) =>
        messages.Where(static m => m.GetAgentRequestMessageSourceType() == AgentRequestMessageSourceType.External);
}
