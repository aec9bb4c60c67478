using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// Runs queries against any <see cref="IChatClient"/> with the context of a conversation session.
/// </summary>
/// <remarks>
/// <para>A run selects the relevant past turns (<see cref="IMessageSelector"/>), gives them to the model as context
/// (<see cref="MessageHistory.FormatForPlanning(IEnumerable{Message})"/>), summarizes the answer (<see cref="ISummarizer"/>)
/// and records the turn atomically (<see cref="ISessionStore.AppendAsync"/>).</para>
/// <para>A turn is recorded only after the model finished answering. A run that fails or is cancelled, before or while the
/// model answers, records nothing and leaves the session as it was; the exception reaches the caller. A failing summarizer or
/// selector never fails a run: it falls back (truncated summary, latest turns) and logs a warning.</para>
/// </remarks>
public sealed class DexterAgent
{
    private readonly IChatClient _chatClient;
    private readonly ISessionStore _store;
    private readonly SessionTurnPipeline _pipeline;

    /// <summary>Initializes an agent.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="store">Where sessions are kept.</param>
    /// <param name="summarizer">How turns are summarized; <see cref="TruncatingSummarizer"/> when <see langword="null"/>.</param>
    /// <param name="selector">How context is selected; <see cref="RecentMessageSelector"/> when <see langword="null"/>.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    public DexterAgent(
        IChatClient chatClient,
        ISessionStore store,
        ISummarizer? summarizer = null,
        IMessageSelector? selector = null,
        IOptions<DexterSessionsOptions>? options = null,
        TimeProvider? timeProvider = null,
        ILogger<DexterAgent>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(store);
        _chatClient = chatClient;
        _store = store;
        _pipeline = new SessionTurnPipeline(
            summarizer ?? TruncatingSummarizer.Instance,
            selector ?? RecentMessageSelector.Instance,
            options?.Value ?? new DexterSessionsOptions(),
            timeProvider ?? TimeProvider.System,
            logger ?? (ILogger)NullLogger.Instance);
    }

    /// <summary>Gets the store the agent keeps sessions in.</summary>
    public ISessionStore Store => _store;

    /// <summary>Answers <paramref name="query"/> with the context of session <paramref name="sessionId"/> and records the turn.</summary>
    /// <param name="query">The user's query.</param>
    /// <param name="sessionId">The session; it is created by the first recorded turn when it does not exist.</param>
    /// <param name="cancellationToken">A token to cancel the run; a cancelled run records nothing.</param>
    /// <returns>The recorded turn and the model's response.</returns>
    /// <exception cref="ArgumentException">The query is empty or too long, or the session id is not valid.</exception>
    public async Task<DexterAgentResponse> RunAsync(string query, string sessionId, CancellationToken cancellationToken = default)
    {
        _pipeline.ValidateQuery(query);
        SessionId.ThrowIfInvalid(sessionId);
        using var activity = StartActivity("dexter.sessions.run", sessionId);
        var started = _pipeline.TimeProvider.GetTimestamp();
        try
        {
            var context = await _pipeline.SelectFromStoreAsync(_store, sessionId, query, cancellationToken).ConfigureAwait(false);
            var response = await _chatClient.GetResponseAsync(
                _pipeline.BuildMessages(context, [new ChatMessage(ChatRole.User, query)]), options: null, cancellationToken).ConfigureAwait(false);
            var turn = await _pipeline.CreateTurnAsync(query, response.Text, response.Usage, _pipeline.TimeProvider.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
            var recorded = await _store.AppendAsync(sessionId, turn, cancellationToken).ConfigureAwait(false);
            _pipeline.TurnRecorded(sessionId, recorded, started);
            activity?.SetTag("dexter.message.id", recorded.Id);
            return new DexterAgentResponse(sessionId, recorded, context, response);
        }
        catch (Exception ex)
        {
            Fail(activity, sessionId, ex, cancellationToken);
            throw;
        }
    }

    /// <summary>
    /// Answers <paramref name="query"/> with the context of <paramref name="history"/> and adds the turn to it, with no store:
    /// the original system's <c>agent.run(query, message_history=history)</c>.
    /// </summary>
    /// <param name="query">The user's query.</param>
    /// <param name="history">The conversation so far; the new turn is added to it.</param>
    /// <param name="cancellationToken">A token to cancel the run; a cancelled run adds nothing.</param>
    /// <returns>The added turn and the model's response.</returns>
    public async Task<DexterAgentResponse> RunAsync(string query, MessageHistory history, CancellationToken cancellationToken = default)
    {
        _pipeline.ValidateQuery(query);
        ArgumentNullException.ThrowIfNull(history);
        var started = _pipeline.TimeProvider.GetTimestamp();
        var context = await _pipeline.SelectAsync(new MessageSelectionContext(query, history.GetAll(), _pipeline.Options.MaxContextMessages), cancellationToken).ConfigureAwait(false);
        var response = await _chatClient.GetResponseAsync(
            _pipeline.BuildMessages(context, [new ChatMessage(ChatRole.User, query)]), options: null, cancellationToken).ConfigureAwait(false);
        var turn = await _pipeline.CreateTurnAsync(query, response.Text, response.Usage, _pipeline.TimeProvider.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested(); // as a store's append does: a run cancelled before the turn is added adds nothing
        return new DexterAgentResponse(sessionId: null, history.Add(turn), context, response);
    }

    /// <summary>
    /// Answers <paramref name="query"/> with the context of session <paramref name="sessionId"/>, yielding the answer as the model
    /// produces it, then records the turn and yields a last <see cref="DexterAgentUpdateKind.Completed"/> update that carries it.
    /// </summary>
    /// <param name="query">The user's query.</param>
    /// <param name="sessionId">The session; it is created by the first recorded turn when it does not exist.</param>
    /// <param name="cancellationToken">A token to cancel the run; a run cancelled or failed before the last update records nothing.</param>
    /// <returns>The updates: <see cref="DexterAgentUpdateKind.Token"/> updates in order, then one <see cref="DexterAgentUpdateKind.Completed"/>.</returns>
    /// <exception cref="ArgumentException">The query is empty or too long, or the session id is not valid (thrown on the call, before enumeration).</exception>
    public IAsyncEnumerable<DexterAgentUpdate> RunStreamingAsync(string query, string sessionId, CancellationToken cancellationToken = default)
    {
        _pipeline.ValidateQuery(query);
        SessionId.ThrowIfInvalid(sessionId);
        return RunStreamingCoreAsync(query, sessionId, cancellationToken);
    }

    private async IAsyncEnumerable<DexterAgentUpdate> RunStreamingCoreAsync(string query, string sessionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var activity = StartActivity("dexter.sessions.run_streaming", sessionId);
        var started = _pipeline.TimeProvider.GetTimestamp();
        var updates = new List<ChatResponseUpdate>();
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        try
        {
            IReadOnlyList<Message> context;
            try
            {
                context = await _pipeline.SelectFromStoreAsync(_store, sessionId, query, cancellationToken).ConfigureAwait(false);
                stream = _chatClient.GetStreamingResponseAsync(
                    _pipeline.BuildMessages(context, [new ChatMessage(ChatRole.User, query)]), options: null, cancellationToken)
                    .GetAsyncEnumerator(cancellationToken);
            }
            catch (Exception ex)
            {
                Fail(activity, sessionId, ex, cancellationToken);
                throw;
            }

            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = stream.Current;
                    updates.Add(update);
                }
                catch (Exception ex)
                {
                    Fail(activity, sessionId, ex, cancellationToken);
                    throw;
                }

                var text = update.Text;
                if (text.Length > 0)
                {
                    yield return new DexterAgentUpdate(DexterAgentUpdateKind.Token, sessionId) { Text = text, ModelUpdate = update };
                }
            }

            Message recorded;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                var response = updates.ToChatResponse();
                var turn = await _pipeline.CreateTurnAsync(query, response.Text, response.Usage, _pipeline.TimeProvider.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
                recorded = await _store.AppendAsync(sessionId, turn, cancellationToken).ConfigureAwait(false);
                _pipeline.TurnRecorded(sessionId, recorded, started);
                activity?.SetTag("dexter.message.id", recorded.Id);
            }
            catch (Exception ex)
            {
                Fail(activity, sessionId, ex, cancellationToken);
                throw;
            }

            yield return new DexterAgentUpdate(DexterAgentUpdateKind.Completed, sessionId) { Text = recorded.Answer, Turn = recorded };
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static Activity? StartActivity(string name, string sessionId)
    {
        if (!DexterSessionsTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = DexterSessionsTelemetry.ActivitySource.StartActivity(name);
        activity?.SetTag("dexter.session.id", sessionId);
        return activity;
    }

    private void Fail(Activity? activity, string sessionId, Exception exception, CancellationToken cancellationToken)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        _pipeline.TurnFailed(sessionId, exception, cancellationToken);
    }
}
