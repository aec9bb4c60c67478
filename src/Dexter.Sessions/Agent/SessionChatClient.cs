using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// Chat-client middleware that gives every request with a <see cref="ChatOptions.ConversationId"/> the context of that
/// session and records the turn once the model has answered. Add it with <c>chatClient.AsBuilder().UseDexterSessions(...)</c>,
/// outside or inside <c>UseFunctionInvocation()</c>.
/// </summary>
/// <remarks>
/// <para>Any conversation id works: ids that are not valid session ids (<c>thread:42</c>, <c>user@tenant/chat</c>, <c>{GUID}</c>)
/// are mapped to store keys by <see cref="SessionId.FromConversationId"/>. The turn's query is the text of the last user message;
/// requests without a conversation id, or without a user message, pass through untouched.</para>
/// <para>The session's context goes before the caller's messages, and the conversation id is removed from the options passed on,
/// so the inner client never looks for a server-side conversation of that id. Inside a function-calling loop, a response that
/// leaves function calls unanswered is not recorded and carries no conversation id (so the loop sends the whole exchange again
/// with the results); the response that ends the turn records it once, with the user's message, every function call and result,
/// and the final answer. That response carries the caller's conversation id, as a service-managed conversation does (so Agent
/// Framework accepts it), and its <see cref="ChatResponse.AdditionalProperties"/> hold the recorded turn's id under
/// <see cref="MessageIdPropertyName"/>. As with <see cref="DexterAgent"/>, a failed or cancelled call records nothing.</para>
/// </remarks>
public sealed class SessionChatClient : DelegatingChatClient
{
    /// <summary>The key under which responses carry the recorded turn's id.</summary>
    public const string MessageIdPropertyName = "dexter.message_id";

    /// <summary>How long a turn waits for the results of its function calls before it is dropped unrecorded.</summary>
    private static readonly TimeSpan ParkedTurnLifetime = TimeSpan.FromMinutes(10);

    private readonly SessionTurnPipeline _pipeline;
    private readonly ConcurrentDictionary<string, ParkedTurn> _parked = new(StringComparer.Ordinal);
    private IDisposable? _ownedStore;

    /// <summary>Initializes the middleware.</summary>
    /// <param name="innerClient">The client that answers.</param>
    /// <param name="store">Where sessions are kept.</param>
    /// <param name="summarizer">How turns are summarized; <see cref="TruncatingSummarizer"/> when <see langword="null"/>.</param>
    /// <param name="selector">How context is selected; when <see langword="null"/>, as <see cref="DexterSessionsOptions.Selection"/> says
    /// (<see cref="RelevanceMessageSelector"/> by default).</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    public SessionChatClient(
        IChatClient innerClient,
        ISessionStore store,
        ISummarizer? summarizer = null,
        IMessageSelector? selector = null,
        IOptions<DexterSessionsOptions>? options = null,
        TimeProvider? timeProvider = null,
        ILogger<SessionChatClient>? logger = null)
        : this(innerClient, new SessionTurnPipeline(store, summarizer, selector, options, timeProvider, logger))
    {
    }

    /// <summary>Initializes the middleware over a turn pipeline.</summary>
    /// <param name="innerClient">The client that answers.</param>
    /// <param name="pipeline">The pipeline that owns each turn.</param>
    public SessionChatClient(IChatClient innerClient, SessionTurnPipeline pipeline)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
    }

    /// <summary>
    /// Gets or sets whether a request with a user message but no <see cref="ChatOptions.ConversationId"/> starts a new session
    /// (a new <see cref="SessionId"/>) whose id the response carries, as a service that manages conversations does.
    /// </summary>
    /// <value>
    /// The default is <see langword="false"/>: such requests pass through untouched. Turn it on for callers that adopt the id a
    /// response returns, such as an Agent Framework <c>ChatClientAgent</c> with a session made by <c>CreateSessionAsync()</c>:
    /// its first run then starts a session, and later runs continue it. Leave it off for a client that is also used for one-off
    /// calls (summaries, classification), or every such call would start a session.
    /// </value>
    public bool StartSessionWhenMissing { get; set; }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var call = await StartAsync(conversation, options, cancellationToken).ConfigureAwait(false);
        if (call is null)
        {
            return await base.GetResponseAsync(conversation, options, cancellationToken).ConfigureAwait(false);
        }

        var parked = false;
        call.Turn.MakeCurrent();
        try
        {
            var response = await base.GetResponseAsync(call.ModelInput(), WithoutConversationId(options), cancellationToken).ConfigureAwait(false);
            response.ConversationId = call.ConversationId;
            if (parked = TryPark(call, response.Messages))
            {
                return response;
            }

            var recorded = await call.Turn.CompleteAsync(response, cancellationToken).ConfigureAwait(false);
            (response.AdditionalProperties ??= [])[MessageIdPropertyName] = recorded.Id;
            return response;
        }
        catch (Exception ex)
        {
            call.Turn.Fail(ex, cancellationToken);
            throw;
        }
        finally
        {
            if (!parked)
            {
                call.Turn.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        return string.IsNullOrEmpty(options?.ConversationId) && !StartSessionWhenMissing
            ? base.GetStreamingResponseAsync(conversation, options, cancellationToken)
            : StreamAsync(conversation, options, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IReadOnlyList<ChatMessage> conversation, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var call = await StartAsync(conversation, options, cancellationToken).ConfigureAwait(false);
        if (call is null)
        {
            await foreach (var update in base.GetStreamingResponseAsync(conversation, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        var parked = false;
        try
        {
            IAsyncEnumerable<ChatResponseUpdate> model;
            try
            {
                model = base.GetStreamingResponseAsync(call.ModelInput(), WithoutConversationId(options), cancellationToken);
            }
            catch (Exception ex)
            {
                call.Turn.Fail(ex, cancellationToken);
                throw;
            }

            await foreach (var update in call.Turn.ObserveAsync(model, cancellationToken).ConfigureAwait(false))
            {
                // Updates pass on untouched: a function-calling loop inside this client still reads them as its own. The
                // conversation id comes on the last update, where callers that assemble the response take it from.
                yield return update;
            }

            var response = call.Turn.StreamedResponse!;
            var end = new ChatResponseUpdate { Role = ChatRole.Assistant, ConversationId = call.ConversationId };
            if (parked = TryPark(call, response.Messages))
            {
                yield return end; // the turn goes on in the next round of the function-calling loop
                yield break;
            }

            try
            {
                await call.Turn.ThrowIfStoppedAsync(cancellationToken).ConfigureAwait(false); // as DexterAgent does: a call stopped before the turn is recorded
                var recorded = await call.Turn.CompleteAsync(response, cancellationToken).ConfigureAwait(false);
                end.AdditionalProperties = new() { [MessageIdPropertyName] = recorded.Id };
            }
            catch (Exception ex)
            {
                call.Turn.Fail(ex, cancellationToken);
                throw;
            }

            yield return end;
        }
        finally
        {
            if (!parked)
            {
                call.Turn.Dispose();
            }
        }
    }

    /// <summary>
    /// Starts this call's part of a turn: a new turn for a request with a user message, or the parked turn whose function calls
    /// the request answers. <see langword="null"/> when the call is not a session's (no conversation id, nothing to go on with).
    /// </summary>
    private async Task<TurnCall?> StartAsync(IReadOnlyList<ChatMessage> conversation, ChatOptions? options, CancellationToken cancellationToken)
    {
        var userIndex = SessionTurnPipeline.IndexOfLastUserMessage(conversation);
        var conversationId = options?.ConversationId;
        if (string.IsNullOrEmpty(conversationId))
        {
            if (!StartSessionWhenMissing || userIndex < 0)
            {
                return null;
            }

            conversationId = SessionId.New();
        }

        var sessionId = SessionId.FromConversationId(conversationId);
        var resumed = TakeParked(sessionId, conversation);
        if (userIndex < 0)
        {
            if (resumed is null)
            {
                return null;
            }

            // A function-calling loop sends only the results once the response carried the conversation id.
            resumed.Turn.Continue(resumed.Produced, conversation);
            resumed.Conversation.AddRange(resumed.Produced);
            resumed.Conversation.AddRange(conversation);
            return new TurnCall(conversationId, sessionId, resumed.Turn, resumed.Conversation);
        }

        // A request with the user's message holds the whole exchange: the parked turn, if any, is superseded.
        resumed?.Turn.Dispose();
        var turn = await _pipeline.BeginTurnAsync(sessionId, conversation, cancellationToken).ConfigureAwait(false);
        return new TurnCall(conversationId, sessionId, turn, [.. conversation]);
    }

    /// <summary>Parks the turn when the model's round left function calls unanswered; the call that brings the results goes on with it.</summary>
    private bool TryPark(TurnCall call, IList<ChatMessage> produced)
    {
        if (!SessionTurnPipeline.HasPendingFunctionCalls([.. call.Turn.Exchange, .. produced]))
        {
            return false;
        }

        var now = _pipeline.TimeProvider.GetTimestamp();
        foreach (var (key, stale) in _parked)
        {
            if (_pipeline.TimeProvider.GetElapsedTime(stale.Since, now) > ParkedTurnLifetime && _parked.TryRemove(key, out var removed))
            {
                removed.Turn.Dispose();
            }
        }

        var parkedTurn = new ParkedTurn(call.Turn, call.Conversation, [.. produced], now);
        foreach (var message in produced)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionCallContent { InformationalOnly: false } functionCall)
                {
                    _parked[ParkKey(call.SessionId, functionCall.CallId)] = parkedTurn;
                }
            }
        }

        return true;
    }

    private ParkedTurn? TakeParked(string sessionId, IReadOnlyList<ChatMessage> conversation)
    {
        ParkedTurn? found = null;
        foreach (var message in conversation)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionResultContent result && _parked.TryRemove(ParkKey(sessionId, result.CallId), out var parked))
                {
                    found = parked;
                }
            }
        }

        if (found is not null)
        {
            // The turn's other calls are answered by the same request.
            foreach (var (key, value) in _parked)
            {
                if (ReferenceEquals(value, found))
                {
                    _parked.TryRemove(key, out _);
                }
            }
        }

        return found;
    }

    private static string ParkKey(string sessionId, string callId) => sessionId + "\n" + callId;

    /// <inheritdoc />
    /// <remarks>Also answers <see cref="ISessionStore"/> with the store this client records turns in, and <see cref="SessionTurnPipeline"/>.</remarks>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            if (serviceType == typeof(ISessionStore))
            {
                return _pipeline.Store;
            }

            if (serviceType == typeof(SessionTurnPipeline))
            {
                return _pipeline;
            }
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>Makes this client dispose <paramref name="store"/> with itself: for a store it created and nobody else holds.</summary>
    internal SessionChatClient OwnStore(IDisposable store)
    {
        _ownedStore = store;
        return this;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Interlocked.Exchange(ref _ownedStore, null)?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static ChatOptions? WithoutConversationId(ChatOptions? options)
    {
        if (options?.ConversationId is null)
        {
            return options;
        }

        var clone = options.Clone();
        clone.ConversationId = null;
        return clone;
    }

    /// <summary>One call's part of a turn: the turn, and the conversation the model is given after the context.</summary>
    private sealed record TurnCall(string ConversationId, string SessionId, SessionTurn Turn, List<ChatMessage> Conversation)
    {
        public List<ChatMessage> ModelInput() => Turn.CreateModelInput(Conversation);
    }

    /// <summary>A turn waiting for the results of its function calls.</summary>
    private sealed record ParkedTurn(SessionTurn Turn, List<ChatMessage> Conversation, ChatMessage[] Produced, long Since);
}
