using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// Runs queries against any <see cref="IChatClient"/> with the context of a conversation session.
/// </summary>
/// <remarks>
/// <para>A run is one turn of <see cref="SessionTurnPipeline"/>: it selects the relevant past turns (<see cref="IMessageSelector"/>),
/// gives them to the model as context, summarizes the answer (<see cref="ISummarizer"/>) and records the turn atomically
/// (<see cref="ISessionStore.AppendAsync"/>). Pass <see cref="ChatOptions"/> for tools, temperature or a model id.</para>
/// <para>A turn is recorded once the model finished answering. A run that fails, or is cancelled before the model wrote any text,
/// records nothing and leaves the session as it was; the exception reaches the caller. A streamed run the caller stops after the
/// model wrote some text — its token cancelled, or the stream left before its end — is recorded with the answer so far, marked
/// <see cref="Message.Interrupted"/> (<see cref="DexterSessionsOptions.RecordInterruptedTurns"/>, on by default), and a cancellation
/// then throws <see cref="TurnInterruptedException"/>. A failing summarizer or selector never fails a run: it falls back
/// (truncated summary, latest turns) and logs a warning.</para>
/// </remarks>
public sealed partial class DexterAgent
{
    private readonly IChatClient _chatClient;
    private readonly SessionTurnPipeline _pipeline;

    /// <summary>Initializes an agent.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="store">Where sessions are kept.</param>
    /// <param name="summarizer">How turns are summarized; <see cref="TruncatingSummarizer"/> when <see langword="null"/>.</param>
    /// <param name="selector">How context is selected; when <see langword="null"/>, as <see cref="DexterSessionsOptions.Selection"/> says
    /// (<see cref="RelevanceMessageSelector"/> by default).</param>
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
        : this(chatClient, new SessionTurnPipeline(store, summarizer, selector, options, timeProvider, logger))
    {
    }

    /// <summary>Initializes an agent over a turn pipeline.</summary>
    /// <param name="chatClient">The model.</param>
    /// <param name="pipeline">The pipeline that owns each turn.</param>
    public DexterAgent(IChatClient chatClient, SessionTurnPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(pipeline);
        _chatClient = chatClient;
        _pipeline = pipeline;
    }

    /// <summary>Gets the store the agent keeps sessions in.</summary>
    public ISessionStore Store => _pipeline.Store;

    /// <summary>
    /// Returns exactly the context the model would receive before <paramref name="query"/> in session <paramref name="sessionId"/>,
    /// and why each past turn is in it, without calling the model or recording anything.
    /// </summary>
    /// <param name="query">The question.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">A token to cancel the reads.</param>
    /// <returns>The context messages, the past turns in them with their tokens, ranks and score parts, and the tokens used.</returns>
    /// <exception cref="ArgumentException">The query is empty or too long, or the session id is not valid.</exception>
    public Task<ContextExplanation> ExplainContextAsync(string query, string sessionId, CancellationToken cancellationToken = default) =>
        _pipeline.ExplainContextAsync(sessionId, query, cancellationToken);

    /// <summary>Answers <paramref name="query"/> with the context of session <paramref name="sessionId"/> and records the turn.</summary>
    /// <param name="query">The user's query.</param>
    /// <param name="sessionId">The session; it is created by the first recorded turn when it does not exist.</param>
    /// <param name="cancellationToken">A token to cancel the run; a cancelled run records nothing.</param>
    /// <returns>The recorded turn and the model's response.</returns>
    /// <exception cref="ArgumentException">The query is empty or too long, or the session id is not valid.</exception>
    public Task<DexterAgentResponse> RunAsync(string query, string sessionId, CancellationToken cancellationToken = default) =>
        RunAsync(query, sessionId, options: null, cancellationToken);

    /// <summary>Answers <paramref name="query"/> with the context of session <paramref name="sessionId"/> and records the turn.</summary>
    /// <param name="query">The user's query.</param>
    /// <param name="sessionId">The session; it is created by the first recorded turn when it does not exist.</param>
    /// <param name="options">The options of the model call (tools, temperature, model id…), passed to the chat client as they are.</param>
    /// <param name="cancellationToken">A token to cancel the run; a cancelled run records nothing.</param>
    /// <returns>The recorded turn and the model's response.</returns>
    /// <exception cref="ArgumentException">The query is empty or too long, or the session id is not valid.</exception>
    public Task<DexterAgentResponse> RunAsync(string query, string sessionId, ChatOptions? options, CancellationToken cancellationToken = default)
    {
        _pipeline.ValidateQuery(query);
        SessionId.ThrowIfInvalid(sessionId);
        return RunCoreAsync(_pipeline.BeginTurnAsync(sessionId, [new ChatMessage(ChatRole.User, query)], cancellationToken), options, cancellationToken);
    }

    /// <summary>
    /// Answers <paramref name="query"/> with the context of <paramref name="history"/> and adds the turn to it, with no store:
    /// as <c>agent.run(query, message_history=history)</c> does in the Python API. The history's own limit, and its own selector when it
    /// was made with one, choose the context.
    /// </summary>
    /// <param name="query">The user's query.</param>
    /// <param name="history">The conversation so far; the new turn is added to it.</param>
    /// <param name="cancellationToken">A token to cancel the run; a cancelled run adds nothing.</param>
    /// <returns>The added turn and the model's response.</returns>
    public Task<DexterAgentResponse> RunAsync(string query, MessageHistory history, CancellationToken cancellationToken = default) =>
        RunAsync(query, history, options: null, cancellationToken);

    /// <summary>
    /// Answers <paramref name="query"/> with the context of <paramref name="history"/> and adds the turn to it, with no store.
    /// </summary>
    /// <param name="query">The user's query.</param>
    /// <param name="history">The conversation so far; the new turn is added to it.</param>
    /// <param name="options">The options of the model call, passed to the chat client as they are.</param>
    /// <param name="cancellationToken">A token to cancel the run; a cancelled run adds nothing.</param>
    /// <returns>The added turn and the model's response.</returns>
    public Task<DexterAgentResponse> RunAsync(string query, MessageHistory history, ChatOptions? options, CancellationToken cancellationToken = default)
    {
        _pipeline.ValidateQuery(query);
        ArgumentNullException.ThrowIfNull(history);
        return RunCoreAsync(_pipeline.BeginTurnAsync(history, [new ChatMessage(ChatRole.User, query)], cancellationToken), options, cancellationToken);
    }

    /// <summary>
    /// Answers <paramref name="query"/> with the context of session <paramref name="sessionId"/>, yielding the answer as the model
    /// produces it, then records the turn and yields a last <see cref="DexterAgentUpdateKind.Completed"/> update that carries it.
    /// </summary>
    /// <param name="query">The user's query.</param>
    /// <param name="sessionId">The session; it is created by the first recorded turn when it does not exist.</param>
    /// <param name="cancellationToken">A token to cancel the run; a run that fails records nothing; one stopped after the model wrote text is recorded, marked interrupted (see remarks).</param>
    /// <returns>The updates: <see cref="DexterAgentUpdateKind.Token"/> updates in order, then one <see cref="DexterAgentUpdateKind.Completed"/>.</returns>
    /// <exception cref="ArgumentException">The query is empty or too long, or the session id is not valid (thrown on the call, before enumeration).</exception>
    public IAsyncEnumerable<DexterAgentUpdate> RunStreamingAsync(string query, string sessionId, CancellationToken cancellationToken = default) =>
        RunStreamingAsync(query, sessionId, options: null, cancellationToken);

    /// <summary>
    /// Answers <paramref name="query"/> with the context of session <paramref name="sessionId"/>, streaming, with the given model options.
    /// </summary>
    /// <param name="query">The user's query.</param>
    /// <param name="sessionId">The session; it is created by the first recorded turn when it does not exist.</param>
    /// <param name="options">The options of the model call (tools, temperature, model id…), passed to the chat client as they are.</param>
    /// <param name="cancellationToken">A token to cancel the run; a run that fails records nothing; one stopped after the model wrote text is recorded, marked interrupted (see remarks).</param>
    /// <returns>The updates: <see cref="DexterAgentUpdateKind.Token"/> updates in order, then one <see cref="DexterAgentUpdateKind.Completed"/>.</returns>
    /// <exception cref="ArgumentException">The query is empty or too long, or the session id is not valid (thrown on the call, before enumeration).</exception>
    public IAsyncEnumerable<DexterAgentUpdate> RunStreamingAsync(string query, string sessionId, ChatOptions? options, CancellationToken cancellationToken = default)
    {
        _pipeline.ValidateQuery(query);
        SessionId.ThrowIfInvalid(sessionId);
        return RunStreamingCoreAsync(query, sessionId, options, cancellationToken);
    }

    private async Task<DexterAgentResponse> RunCoreAsync(Task<SessionTurn> begin, ChatOptions? options, CancellationToken cancellationToken)
    {
        using var turn = await begin.ConfigureAwait(false);
        turn.MakeCurrent();
        try
        {
            var response = await _chatClient.GetResponseAsync(turn.CreateModelInput(), options, cancellationToken).ConfigureAwait(false);
            var recorded = await turn.CompleteAsync(response, cancellationToken).ConfigureAwait(false);
            return new DexterAgentResponse(turn.SessionId, recorded, turn.Context, response);
        }
        catch (Exception ex)
        {
            turn.Fail(ex, cancellationToken);
            throw;
        }
    }

    /// <summary>Runs one streamed turn; with <paramref name="turnKey"/>, the turn is recorded under that key (see <see cref="RunStreamingOnceAsync"/>).</summary>
    private async IAsyncEnumerable<DexterAgentUpdate> RunStreamingCoreAsync(
        string query, string sessionId, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken, string? turnKey = null)
    {
        using var turn = await _pipeline.BeginTurnAsync(sessionId, [new ChatMessage(ChatRole.User, query)], cancellationToken).ConfigureAwait(false);
        turn.TurnKey = turnKey;
        IAsyncEnumerable<ChatResponseUpdate> model;
        try
        {
            model = _chatClient.GetStreamingResponseAsync(turn.CreateModelInput(), options, cancellationToken);
        }
        catch (Exception ex)
        {
            turn.Fail(ex, cancellationToken);
            throw;
        }

        await foreach (var update in turn.ObserveAsync(model, cancellationToken).ConfigureAwait(false))
        {
            if (update.Text is { Length: > 0 } text)
            {
                yield return new DexterAgentUpdate(DexterAgentUpdateKind.Token, sessionId) { Text = text, ModelUpdate = update };
            }
        }

        Message recorded;
        try
        {
            await turn.ThrowIfStoppedAsync(cancellationToken).ConfigureAwait(false); // a run stopped once the model's stream has ended
            recorded = await turn.CompleteAsync(turn.StreamedResponse!, cancellationToken).ConfigureAwait(false);
            if (turnKey is not null)
            {
                ThrowIfOtherQuery(sessionId, turnKey, query, recorded); // another run recorded this key first, for another question
            }
        }
        catch (Exception ex)
        {
            turn.Fail(ex, cancellationToken);
            throw;
        }

        yield return new DexterAgentUpdate(DexterAgentUpdateKind.Completed, sessionId) { Text = recorded.Answer, Turn = recorded };
    }
}
