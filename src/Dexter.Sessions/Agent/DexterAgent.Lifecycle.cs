using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <content>A conversation's lifecycle: runs recorded once per turn key, regenerate (undo the last turn and ask again), edit (fork before a turn and ask anew).</content>
public sealed partial class DexterAgent
{
    /// <summary>
    /// Runs one turn at most once per <paramref name="turnKey"/>: a retry with the same key (after a lost response, say) returns
    /// the turn recorded the first time without calling the model; of concurrent runs with one key, exactly one turn is recorded
    /// and every run returns it.
    /// </summary>
    /// <remarks>
    /// The key is looked up before the model is called (one store read); the append then records the turn only when no other
    /// run recorded one with the key meanwhile. The key lasts as long as its turn: a rewind past the turn, or the session's
    /// deletion, forgets it.
    /// </remarks>
    /// <param name="query">The user's query.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="turnKey">The key of the turn: 1 to 128 printable ASCII characters (<see cref="Sessions.TurnKey"/>), such as an HTTP <c>Idempotency-Key</c>.</param>
    /// <param name="options">The chat options for the model, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>The answer and the recorded turn; <see cref="DexterAgentResponse.Replayed"/> tells whether it was recorded before.</returns>
    /// <exception cref="TurnKeyConflictException">The key was used in the session for a different query.</exception>
    public async Task<DexterAgentResponse> RunOnceAsync(
        string query, string sessionId, string turnKey, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        _pipeline.ValidateQuery(query);
        SessionId.ThrowIfInvalid(sessionId);
        TurnKey.ThrowIfInvalid(turnKey);
        if (await FindKeyedTurnAsync(sessionId, turnKey, query, cancellationToken).ConfigureAwait(false) is { } recorded)
        {
            return Replay(sessionId, recorded);
        }

        using var turn = await _pipeline.BeginTurnAsync(sessionId, [new ChatMessage(ChatRole.User, query)], cancellationToken).ConfigureAwait(false);
        turn.TurnKey = turnKey;
        turn.MakeCurrent();
        try
        {
            var response = await _chatClient.GetResponseAsync(turn.CreateModelInput(), options, cancellationToken).ConfigureAwait(false);
            var completed = await turn.CompleteAsync(response, cancellationToken).ConfigureAwait(false);
            ThrowIfOtherQuery(sessionId, turnKey, query, completed);
            return new DexterAgentResponse(turn.SessionId, completed, turn.Context, response);
        }
        catch (Exception ex)
        {
            turn.Fail(ex, cancellationToken);
            throw;
        }
    }

    /// <summary>
    /// Streams one turn at most once per <paramref name="turnKey"/>, as <see cref="RunOnceAsync"/> runs it: a retry with the same
    /// key streams the recorded answer (one <see cref="DexterAgentUpdateKind.Token"/> update with all of it, then the
    /// <see cref="DexterAgentUpdateKind.Completed"/> update), both marked <see cref="DexterAgentUpdate.Replayed"/>.
    /// </summary>
    /// <param name="query">The user's query.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="turnKey">The key of the turn.</param>
    /// <param name="options">The chat options for the model, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>The updates of the answer, then the completed turn.</returns>
    /// <exception cref="TurnKeyConflictException">The key was used in the session for a different query.</exception>
    public IAsyncEnumerable<DexterAgentUpdate> RunStreamingOnceAsync(
        string query, string sessionId, string turnKey, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        _pipeline.ValidateQuery(query);
        SessionId.ThrowIfInvalid(sessionId);
        TurnKey.ThrowIfInvalid(turnKey);
        return RunStreamingOnceCoreAsync(query, sessionId, turnKey, options, cancellationToken);
    }

    /// <summary>
    /// Answers the last question of a session again: rewinds the session's last turn (a compare-and-set on it, so a turn
    /// appended meanwhile is never removed) and asks its query anew, recording the new answer as the same turn id.
    /// </summary>
    /// <remarks>The previous answer is removed before the model is called: should the model fail, the session ends at the turn before.</remarks>
    /// <param name="sessionId">The session id.</param>
    /// <param name="options">The chat options for the model, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>The new answer and its turn.</returns>
    /// <exception cref="InvalidOperationException">The session does not exist or has no turn.</exception>
    /// <exception cref="SessionChangedException">A turn was appended (or the session rewound) between reading the last turn and the rewind.</exception>
    public async Task<DexterAgentResponse> RegenerateAsync(string sessionId, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var last = await RewindLastTurnAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return await RunAsync(last.Query, sessionId, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Streams the new answer to the last question of a session, as <see cref="RegenerateAsync"/> makes it.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="options">The chat options for the model, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>The updates of the new answer, then the completed turn.</returns>
    /// <exception cref="InvalidOperationException">The session does not exist or has no turn.</exception>
    /// <exception cref="SessionChangedException">A turn was appended (or the session rewound) between reading the last turn and the rewind.</exception>
    public async IAsyncEnumerable<DexterAgentUpdate> RegenerateStreamingAsync(
        string sessionId, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var last = await RewindLastTurnAsync(sessionId, cancellationToken).ConfigureAwait(false);
        await foreach (var update in RunStreamingAsync(last.Query, sessionId, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>
    /// Asks an edited version of an earlier question: forks the session before turn <paramref name="turnId"/> (turns 1 to
    /// <paramref name="turnId"/> − 1, same owner, <see cref="SessionMetadata.ForkedFromSessionId"/> naming the original) and
    /// asks <paramref name="query"/> in the new session. The original session is not changed.
    /// </summary>
    /// <param name="sessionId">The session holding the question to edit.</param>
    /// <param name="turnId">The id of the turn whose question is edited; 1 or more, at most the session's last turn.</param>
    /// <param name="query">The edited question.</param>
    /// <param name="options">The chat options for the model, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>The answer in the new session; its <see cref="DexterAgentResponse.SessionId"/> is the new session's id.</returns>
    /// <exception cref="InvalidOperationException">The session does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="turnId"/> is not a turn of the session.</exception>
    public async Task<DexterAgentResponse> EditAsync(
        string sessionId, int turnId, string query, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        _pipeline.ValidateQuery(query);
        var forked = await ForkBeforeAsync(sessionId, turnId, cancellationToken).ConfigureAwait(false);
        return await RunAsync(query, forked, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Streams the answer to an edited question in a new session, as <see cref="EditAsync"/> makes it.</summary>
    /// <param name="sessionId">The session holding the question to edit.</param>
    /// <param name="turnId">The id of the turn whose question is edited.</param>
    /// <param name="query">The edited question.</param>
    /// <param name="options">The chat options for the model, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the run.</param>
    /// <returns>The updates of the answer (their <see cref="DexterAgentUpdate.SessionId"/> is the new session's id), then the completed turn.</returns>
    public async IAsyncEnumerable<DexterAgentUpdate> EditStreamingAsync(
        string sessionId, int turnId, string query, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _pipeline.ValidateQuery(query);
        var forked = await ForkBeforeAsync(sessionId, turnId, cancellationToken).ConfigureAwait(false);
        await foreach (var update in RunStreamingAsync(query, forked, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>
    /// Rewinds a session to turn <paramref name="throughTurnId"/> through the agent's store (<see cref="ISessionStore.RewindAsync"/>),
    /// and drops what this agent holds of the removed turns.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="throughTurnId">The last turn to keep; 0 or more.</param>
    /// <param name="expectedLastTurnId">The session's last turn as the caller saw it, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>What the rewind did.</returns>
    public async Task<RewindResult> RewindAsync(string sessionId, int throughTurnId, int? expectedLastTurnId = null, CancellationToken cancellationToken = default)
    {
        var result = await Store.RewindAsync(sessionId, throughTurnId, expectedLastTurnId, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded && result.RemovedTurns > 0)
        {
            _pipeline.ForgetTurns(sessionId);
        }

        return result;
    }

    private async IAsyncEnumerable<DexterAgentUpdate> RunStreamingOnceCoreAsync(
        string query, string sessionId, string turnKey, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await FindKeyedTurnAsync(sessionId, turnKey, query, cancellationToken).ConfigureAwait(false) is { } recorded)
        {
            yield return new DexterAgentUpdate(DexterAgentUpdateKind.Token, sessionId) { Text = recorded.Answer, Replayed = true };
            yield return new DexterAgentUpdate(DexterAgentUpdateKind.Completed, sessionId) { Text = recorded.Answer, Turn = recorded, Replayed = true };
            yield break;
        }

        await foreach (var update in RunStreamingCoreAsync(query, sessionId, options, cancellationToken, turnKey).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private async Task<Message?> FindKeyedTurnAsync(string sessionId, string turnKey, string query, CancellationToken cancellationToken)
    {
        var recorded = await Store.GetTurnByKeyAsync(sessionId, turnKey, cancellationToken).ConfigureAwait(false);
        if (recorded is not null)
        {
            ThrowIfOtherQuery(sessionId, turnKey, query, recorded);
        }

        return recorded;
    }

    private static void ThrowIfOtherQuery(string sessionId, string turnKey, string query, Message recorded)
    {
        if (!string.Equals(recorded.Query, query, StringComparison.Ordinal))
        {
            throw new TurnKeyConflictException(sessionId, turnKey, recorded.Id);
        }
    }

    private static DexterAgentResponse Replay(string sessionId, Message recorded) =>
        new(sessionId, recorded, [], new ChatResponse(new ChatMessage(ChatRole.Assistant, recorded.Answer))) { Replayed = true };

    private async Task<Message> RewindLastTurnAsync(string sessionId, CancellationToken cancellationToken)
    {
        SessionId.ThrowIfInvalid(sessionId);
        var recent = await Store.GetRecentAsync(sessionId, 1, cancellationToken).ConfigureAwait(false);
        if (recent.Count == 0)
        {
            throw new InvalidOperationException($"Session '{sessionId}' has no turn to answer again (it does not exist, has expired or is empty).");
        }

        var last = recent[0];
        var result = await RewindAsync(sessionId, last.Id - 1, expectedLastTurnId: last.Id, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            RewindStatus.Rewound => last,
            RewindStatus.Conflict => throw new SessionChangedException(sessionId, last.Id, result.LastTurnId),
            _ => throw new InvalidOperationException($"Session '{sessionId}' was deleted or expired before its last turn could be answered again."),
        };
    }

    private async Task<string> ForkBeforeAsync(string sessionId, int turnId, CancellationToken cancellationToken)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(turnId, 1);
        var recent = await Store.GetRecentAsync(sessionId, 1, cancellationToken).ConfigureAwait(false);
        var last = recent.Count == 0 ? 0 : recent[0].Id;
        if (turnId > last && (last > 0 || await Store.ExistsAsync(sessionId, cancellationToken).ConfigureAwait(false)))
        {
            throw new ArgumentOutOfRangeException(nameof(turnId), turnId, $"Session '{sessionId}' ends at turn {last}; give the id of one of its turns.");
        }

        var forked = SessionId.New();
        return await Store.ForkAsync(sessionId, turnId - 1, forked, cancellationToken: cancellationToken).ConfigureAwait(false) is null
            ? throw new InvalidOperationException($"Session '{sessionId}' does not exist (or has expired), so its question cannot be edited.")
            : forked;
    }
}
