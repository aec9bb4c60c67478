using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Turns the agent's streamed updates into the Server-Sent Events of <c>POST /query</c>: <c>token</c> events, then one
/// <c>answer</c> event, or one <c>error</c> event when the model fails, the store fails, or the answer passes
/// <see cref="DexterSessionsEndpointOptions.MaxAnswerLength"/> (the model's call is cancelled then and nothing is recorded).
/// </summary>
internal sealed class AnswerEventStream(ILogger logger, DexterSessionsEndpointOptions options)
{
    /// <summary>The error event's text when the session was deleted (history cleared) while its answer streamed.</summary>
    public const string SessionDeletedDetail = "The conversation was cleared while this answer was written; the answer was not recorded.";

    public async IAsyncEnumerable<string> StreamAsync(
        DexterAgent agent, string query, string sessionId, string requestId, [EnumeratorCancellation] CancellationToken cancellationToken,
        Func<int, bool, Task>? answered = null, string? turnKey = null, Message? replay = null)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var updates = replay is not null
            ? Replay(sessionId, replay)
            : turnKey is not null ? agent.RunStreamingOnceAsync(query, sessionId, turnKey, options: null, stop.Token) : agent.RunStreamingAsync(query, sessionId, stop.Token);
        var enumerator = updates.GetAsyncEnumerator(stop.Token);
        var replayed = false;
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
                            $"The answer passed {options.MaxAnswerLength} characters (Dexter:Sessions:Endpoints:MaxAnswerLength); it was stopped and nothing was recorded. Ask for a shorter answer.");
                        item = new StreamEvent { Type = "error", Content = message, Error = message, SessionId = sessionId, RequestId = requestId };
                    }
                    else
                    {
                        item = new StreamEvent { Type = "token", Content = update.Text };
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    DexterSessionsEndpoints.Log.QueryCancelled(logger, requestId, sessionId);
                    yield break;
                }
                catch (Exception ex)
                {
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

                if (item is { Type: "answer", MessageId: { } turnId } && answered is not null)
                {
                    await answered(turnId, replayed).ConfigureAwait(false);
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
            try
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The call was cancelled here (answer too long) or by the client; the cancellation was logged above.
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
