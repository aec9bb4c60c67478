using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Turns the agent's streamed updates into the Server-Sent Events of <c>POST /query</c>: <c>token</c> events, then one
/// <c>answer</c> event, or one <c>error</c> event when the model fails, the store fails, or the answer passes
/// <see cref="DexterSessionsEndpointOptions.MaxAnswerLength"/> (the model's call is stopped then).
/// </summary>
/// <remarks>
/// An answer stopped before its end — the client disconnected, or it passed the length limit — is recorded with the text written
/// so far, marked interrupted, when <see cref="DexterSessionsOptions.RecordInterruptedTurns"/> is on (else nothing is recorded),
/// and audited as <see cref="SessionAuditAction.Interrupted"/>.
/// </remarks>
internal sealed class AnswerEventStream(ILogger logger, DexterSessionsEndpointOptions options, bool recordsInterruptedTurns)
{
    /// <summary>The error event's text when the session was deleted (history cleared) while its answer streamed.</summary>
    public const string SessionDeletedDetail = "The conversation was cleared while this answer was written; the answer was not recorded.";

    /// <summary>Streams the events of one query.</summary>
    /// <param name="agent">The agent that answers.</param>
    /// <param name="query">The question.</param>
    /// <param name="sessionId">The caller's session.</param>
    /// <param name="requestId">The request id, for the events and the logs.</param>
    /// <param name="cancellationToken">The client's token (the request aborted).</param>
    /// <param name="audit">Records the outcome with the turn's id: answered (<see cref="SessionAuditAction.Queried"/> or
    /// <see cref="SessionAuditAction.Replayed"/>) or stopped (<see cref="SessionAuditAction.Interrupted"/>).</param>
    /// <param name="turnKey">The request's <c>Idempotency-Key</c>, if any.</param>
    /// <param name="replay">The turn recorded before under <paramref name="turnKey"/>, streamed again without the model.</param>
    public async IAsyncEnumerable<string> StreamAsync(
        DexterAgent agent, string query, string sessionId, string requestId, [EnumeratorCancellation] CancellationToken cancellationToken,
        Func<int, SessionAuditAction, Task>? audit = null, string? turnKey = null, Message? replay = null)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var updates = replay is not null
            ? Replay(sessionId, replay)
            : turnKey is not null ? agent.RunStreamingOnceAsync(query, sessionId, turnKey, options: null, stop.Token) : agent.RunStreamingAsync(query, sessionId, stop.Token);
        var enumerator = updates.GetAsyncEnumerator(stop.Token);
        var replayed = false;
        var ended = false; // the agent's stream gave its last update or threw
        long length = 0;
        try
        {
            while (true)
            {
                StreamEvent item;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        ended = true;
                        yield break;
                    }

                    var update = enumerator.Current;
                    replayed |= update.Replayed;
                    if (update.Kind == DexterAgentUpdateKind.Completed && update.Turn is { } turn)
                    {
                        DexterSessionsEndpoints.Log.QueryAnswered(logger, requestId, turn.Id, sessionId);
                        item = new StreamEvent { Type = "answer", Content = turn.Answer, SessionId = sessionId, RequestId = requestId, MessageId = turn.Id };
                    }
                    else if ((length += update.Text.Length) > options.MaxAnswerLength)
                    {
                        await stop.CancelAsync().ConfigureAwait(false);
                        DexterSessionsEndpoints.Log.AnswerTooLong(logger, requestId, sessionId, options.MaxAnswerLength);
                        var message = string.Create(CultureInfo.InvariantCulture,
                            $"The answer passed {options.MaxAnswerLength} characters (Dexter:Sessions:Endpoints:MaxAnswerLength); it was stopped there{(recordsInterruptedTurns ? " and kept, marked as stopped" : " and nothing was recorded")}. Ask for a shorter answer.");
                        item = new StreamEvent { Type = "error", Content = message, Error = message, SessionId = sessionId, RequestId = requestId };
                    }
                    else
                    {
                        item = new StreamEvent { Type = "token", Content = update.Text };
                    }
                }
                catch (TurnInterruptedException stopped) when (cancellationToken.IsCancellationRequested)
                {
                    ended = true;
                    await InterruptedAsync(stopped.Turn).ConfigureAwait(false);
                    yield break;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    ended = true;
                    DexterSessionsEndpoints.Log.QueryCancelled(logger, requestId, sessionId);
                    yield break;
                }
                catch (Exception ex)
                {
                    ended = true;
                    DexterSessionsEndpoints.Log.QueryFailed(logger, ex, requestId, sessionId);
                    var message = ex switch
                    {
                        SessionStoreUnavailableException => EndpointProblems.StoreUnavailableDetail + " Nothing was recorded.",
                        SessionDeletedException => SessionDeletedDetail,
                        TurnKeyConflictException conflict => conflict.Message,
                        _ => "The model failed to answer; nothing was recorded. Try again.",
                    };
                    item = new StreamEvent { Type = "error", Content = message, Error = message, SessionId = sessionId, RequestId = requestId };
                }

                if (item is { Type: "answer", MessageId: { } turnId } && audit is not null)
                {
                    ended = true;
                    await audit(turnId, replayed ? SessionAuditAction.Replayed : SessionAuditAction.Queried).ConfigureAwait(false);
                }

                yield return JsonSerializer.Serialize(item, DexterSessionsJsonContext.Relaxed.StreamEvent);
                if (item.Type != "token")
                {
                    yield break;
                }
            }
        }
        finally
        {
            Message? interrupted = null;
            try
            {
                if (!ended)
                {
                    // Left before the agent's stream ended: the answer was too long, or the writer stopped (the client went away).
                    // The agent is stopped with its token, so that it records the turn so far and says which turn it recorded.
                    await stop.CancelAsync().ConfigureAwait(false);
                    await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
            }
            catch (TurnInterruptedException stopped)
            {
                interrupted = stopped.Turn;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped before the model wrote any text, or with RecordInterruptedTurns off: nothing was recorded.
            }
            catch (Exception ex)
            {
                DexterSessionsEndpoints.Log.QueryFailed(logger, ex, requestId, sessionId);
            }
            finally
            {
                try
                {
                    await enumerator.DisposeAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // The call was cancelled here (answer too long) or by the client; the cancellation was logged above.
                }
            }

            if (interrupted is not null)
            {
                await InterruptedAsync(interrupted).ConfigureAwait(false);
            }
        }

        async Task InterruptedAsync(Message turn)
        {
            DexterSessionsEndpoints.Log.QueryInterrupted(logger, requestId, turn.Id, sessionId);
            if (audit is not null)
            {
                await audit(turn.Id, SessionAuditAction.Interrupted).ConfigureAwait(false);
            }
        }
    }

    // A turn recorded before: its whole answer as one token, then the usual answer event, as a live answer streams.
    private static async IAsyncEnumerable<DexterAgentUpdate> Replay(string sessionId, Message turn)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return new DexterAgentUpdate(DexterAgentUpdateKind.Token, sessionId) { Text = turn.Answer, Replayed = true };
        yield return new DexterAgentUpdate(DexterAgentUpdateKind.Completed, sessionId) { Text = turn.Answer, Turn = turn, Replayed = true };
    }
}
