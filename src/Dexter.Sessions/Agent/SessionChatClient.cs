using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// Chat-client middleware that gives every request with a <see cref="ChatOptions.ConversationId"/> the context of that
/// session and records the turn once the inner client has answered. Add it with
/// <c>chatClient.AsBuilder().UseDexterSessions(...)</c>.
/// </summary>
/// <remarks>
/// <para>The conversation id names the session (see <see cref="SessionId"/> for the allowed form). The query is the text of
/// the last user message. Requests without a conversation id, or without a user message, pass through untouched.</para>
/// <para>The session's context goes before the caller's messages as a system message, and the conversation id is removed from
/// the options passed on, so the inner client does not also look for a server-side conversation of that id. The response
/// carries the conversation id, and its <see cref="ChatResponse.AdditionalProperties"/> hold the recorded turn's id under
/// <see cref="MessageIdPropertyName"/>. As with <see cref="DexterAgent"/>, a failed or cancelled call records nothing.</para>
/// </remarks>
public sealed class SessionChatClient : DelegatingChatClient
{
    /// <summary>The key under which responses carry the recorded turn's id.</summary>
    public const string MessageIdPropertyName = "dexter.message_id";

    private readonly ISessionStore _store;
    private readonly SessionTurnPipeline _pipeline;
    private IDisposable? _ownedStore;

    /// <summary>Initializes the middleware.</summary>
    /// <param name="innerClient">The client that answers.</param>
    /// <param name="store">Where sessions are kept.</param>
    /// <param name="summarizer">How turns are summarized; <see cref="TruncatingSummarizer"/> when <see langword="null"/>.</param>
    /// <param name="selector">How context is selected; <see cref="RecentMessageSelector"/> when <see langword="null"/>.</param>
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
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _pipeline = new SessionTurnPipeline(
            summarizer ?? TruncatingSummarizer.Instance,
            selector ?? RecentMessageSelector.Instance,
            options?.Value ?? new DexterSessionsOptions(),
            timeProvider ?? TimeProvider.System,
            logger ?? (ILogger)NullLogger.Instance);
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        if (!TryGetTurn(conversation, options, out var sessionId, out var query))
        {
            return await base.GetResponseAsync(conversation, options, cancellationToken).ConfigureAwait(false);
        }

        var started = _pipeline.TimeProvider.GetTimestamp();
        try
        {
            var context = await _pipeline.SelectFromStoreAsync(_store, sessionId, query, cancellationToken).ConfigureAwait(false);
            var response = await base.GetResponseAsync(_pipeline.BuildMessages(context, conversation), WithoutConversationId(options), cancellationToken).ConfigureAwait(false);
            var turn = await _pipeline.CreateTurnAsync(query, response.Text, response.Usage, _pipeline.TimeProvider.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
            var recorded = await _store.AppendAsync(sessionId, turn, cancellationToken).ConfigureAwait(false);
            _pipeline.TurnRecorded(sessionId, recorded, started);
            response.ConversationId = sessionId;
            (response.AdditionalProperties ??= [])[MessageIdPropertyName] = recorded.Id;
            return response;
        }
        catch (Exception ex)
        {
            _pipeline.TurnFailed(sessionId, ex, cancellationToken);
            throw;
        }
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var conversation = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        return TryGetTurn(conversation, options, out var sessionId, out var query)
            ? StreamAsync(conversation, options, sessionId, query, cancellationToken)
            : base.GetStreamingResponseAsync(conversation, options, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IReadOnlyList<ChatMessage> conversation, ChatOptions? options, string sessionId, string query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = _pipeline.TimeProvider.GetTimestamp();
        var updates = new List<ChatResponseUpdate>();
        IReadOnlyList<Message> context;
        try
        {
            context = await _pipeline.SelectFromStoreAsync(_store, sessionId, query, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _pipeline.TurnFailed(sessionId, ex, cancellationToken);
            throw;
        }

        var stream = base.GetStreamingResponseAsync(_pipeline.BuildMessages(context, conversation), WithoutConversationId(options), cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex)
                {
                    _pipeline.TurnFailed(sessionId, ex, cancellationToken);
                    throw;
                }

                var update = stream.Current;
                updates.Add(update);
                update.ConversationId = sessionId;
                yield return update;
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        Message recorded;
        try
        {
            cancellationToken.ThrowIfCancellationRequested(); // as DexterAgent does: a call cancelled before the turn is recorded records nothing
            var response = updates.ToChatResponse();
            var turn = await _pipeline.CreateTurnAsync(query, response.Text, response.Usage, _pipeline.TimeProvider.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
            recorded = await _store.AppendAsync(sessionId, turn, cancellationToken).ConfigureAwait(false);
            _pipeline.TurnRecorded(sessionId, recorded, started);
        }
        catch (Exception ex)
        {
            _pipeline.TurnFailed(sessionId, ex, cancellationToken);
            throw;
        }

        yield return new ChatResponseUpdate
        {
            ConversationId = sessionId,
            AdditionalProperties = new() { [MessageIdPropertyName] = recorded.Id },
        };
    }

    /// <inheritdoc />
    /// <remarks>Also answers <see cref="ISessionStore"/> with the store this client records turns in.</remarks>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(_store) && serviceType == typeof(ISessionStore)
            ? _store
            : base.GetService(serviceType, serviceKey);
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

    private bool TryGetTurn(IReadOnlyList<ChatMessage> conversation, ChatOptions? options, out string sessionId, out string query)
    {
        sessionId = options?.ConversationId!;
        query = string.Empty;
        if (string.IsNullOrEmpty(sessionId))
        {
            return false;
        }

        SessionId.ThrowIfInvalid(sessionId, "options.ConversationId");
        for (var i = conversation.Count - 1; i >= 0; i--)
        {
            if (conversation[i].Role == ChatRole.User)
            {
                query = conversation[i].Text;
                _pipeline.ValidateQuery(query);
                return true;
            }
        }

        return false;
    }

    private static ChatOptions? WithoutConversationId(ChatOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        var clone = options.Clone();
        clone.ConversationId = null;
        return clone;
    }
}
