using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.ML.Tokenizers;

namespace Dexter.Sessions;

/// <summary>
/// Ends a turn once the model has answered: summarizes it, lets the selector prepare it, appends it in one store round trip,
/// reports it, and does (or queues) the work that follows a recorded turn; or reports a turn that recorded nothing.
/// </summary>
/// <remarks>
/// The pipeline makes one recorder and gives it to every turn it begins; the recorder reads the turn's state and never calls
/// back into the turn or the pipeline.
/// </remarks>
internal sealed partial class SessionTurnRecorder
{
    private readonly DexterSessionsOptions _options;
    private readonly ISummarizer _summarizer;
    private readonly Tokenizer _tokenizer;
    private readonly SessionSummaryWorker? _worker;
    private readonly SessionTurnCache _turns;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a recorder.</summary>
    /// <param name="options">The options: the recent window and whether a rolling summary is kept.</param>
    /// <param name="summarizer">How turns are summarized.</param>
    /// <param name="tokenizer">Counts the tokens a turn takes when replayed.</param>
    /// <param name="worker">Where the work after a recorded turn is done; with <see langword="null"/> it is done before the turn is returned.</param>
    /// <param name="turns">The turns of the store's sessions queried lately, extended with each recorded turn.</param>
    /// <param name="folder">Folds turns that left the recent window into the rolling summary.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The pipeline's logger.</param>
    public SessionTurnRecorder(
        DexterSessionsOptions options, ISummarizer summarizer, Tokenizer tokenizer, SessionSummaryWorker? worker, SessionTurnCache turns,
        RollingSummaryFolder folder, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _summarizer = summarizer;
        _tokenizer = tokenizer;
        _worker = worker;
        _turns = turns;
        Folder = folder;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Gets what folds the rolling summary after a turn.</summary>
    public RollingSummaryFolder Folder { get; }

    /// <summary>Gets whether a stopped turn with some answer is recorded, marked interrupted (<see cref="DexterSessionsOptions.RecordInterruptedTurns"/>).</summary>
    public bool RecordsInterruptedTurns => _options.RecordInterruptedTurns;

    /// <summary>Makes, records and reports the turn once the model has answered.</summary>
    public Task<Message> RecordAsync(SessionTurn turn, ChatResponse response, CancellationToken cancellationToken) =>
        RecordAsync(turn, response, interrupted: false, cancellationToken);

    /// <summary>
    /// Records a turn its caller stopped, with the text the model wrote so far, marked <see cref="Message.Interrupted"/>. The caller's
    /// token is cancelled already, so the recording does not take it; a failure to record is logged and gives <see langword="null"/>.
    /// </summary>
    public async Task<Message?> RecordInterruptedAsync(SessionTurn turn, ChatResponse partial)
    {
        try
        {
            var recorded = await RecordAsync(turn, partial, interrupted: true, CancellationToken.None).ConfigureAwait(false);
            turn.Activity?.SetTag("dexter.turn.interrupted", true);
            SessionTurnPipeline.Log.TurnInterrupted(_logger, turn.StoreSessionId, recorded.Id, recorded.Answer.Length);
            return recorded;
        }
        catch (Exception ex)
        {
            turn.Activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            SessionTurnPipeline.Log.InterruptedTurnNotRecorded(_logger, turn.StoreSessionId, ex);
            return null;
        }
    }

    /// <summary>Whether a response has answer text: a stopped turn without any is not recorded.</summary>
    public static bool HasAnswerText(ChatResponse response) => FinalText(response).Length > 0;

    private async Task<Message> RecordAsync(SessionTurn turn, ChatResponse response, bool interrupted, CancellationToken cancellationToken)
    {
        var answer = FinalText(response);

        // With a worker, a summarizer other than truncation (a model) runs after the turn is recorded; the turn is recorded with the
        // truncated summary first, so the time to the recorded turn does not depend on the summarizer. A caller's history is
        // summarized at once: no work follows its turns. A stopped turn is recorded with the truncated summary at once too: its
        // caller is gone, and the model's summary follows in the background when there is a worker.
        var summarizeLater = _worker is not null && !turn.OverCallersHistory && _summarizer is not TruncatingSummarizer;
        var (summary, summarizerFellBack) = summarizeLater || interrupted
            ? (TruncatingSummarizer.Summarize(turn.Query, answer), false)
            : await TurnSummaries.SummarizeAsync(_summarizer, _logger, turn.Query, answer, cancellationToken).ConfigureAwait(false);
        var message = new Message
        {
            Query = turn.Query,
            Answer = answer,
            Summary = summary,
            CreatedAt = _timeProvider.GetUtcNow(),
            InputTokenCount = response.Usage?.InputTokenCount,
            OutputTokenCount = response.Usage?.OutputTokenCount,
            ResponseTime = _timeProvider.GetElapsedTime(turn.StartTimestamp),
            ChatMessages = ForStorage([.. turn.Exchange, .. interrupted ? Answered(response.Messages) : response.Messages]),
            SummarizerFellBack = summarizerFellBack,
            SelectorFellBack = turn.SelectorFellBack,
            Interrupted = interrupted,
            TurnKey = interrupted ? null : turn.TurnKey, // a retry under the key after a stop gets a whole answer, not the stopped one
        };
        message = message with
        {
            TokenCount = ContextBudget.CountTokens(_tokenizer, TextContextFormat.Replay(message, message.ChatMessages)),
            Embedding = turn.QueryEmbedding, // the query's vector, computed by the selection: the turn is not embedded on the answer's path
        };

        try
        {
            message = await turn.Selector.PrepareTurnAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            SessionTurnPipeline.Log.PrepareFallback(_logger, turn.Selector.GetType().Name, ex);
        }

        // A turn that began on an existing session is recorded only while it exists: a delete racing the answer wins.
        var sessionId = turn.StoreSessionId;
        var recorded = turn.SessionExisted
            ? await turn.Store.AppendToExistingAsync(sessionId, message, cancellationToken).ConfigureAwait(false)
                ?? throw SessionDeletedException.TurnNotRecorded(sessionId)
            : await turn.Store.AppendAsync(sessionId, message, cancellationToken).ConfigureAwait(false);
        if (message.TurnKey is not null && (recorded.CreatedAt != message.CreatedAt || recorded.Answer != message.Answer))
        {
            return recorded; // a concurrent run with the same key recorded its turn first: that turn is the answer
        }

        var seconds = _timeProvider.GetElapsedTime(turn.StartTimestamp).TotalSeconds;
        DexterSessionsTelemetry.TurnRecorded(recorded, seconds, turn.Activity);
        SessionTurnPipeline.Log.TurnRecorded(_logger, sessionId, recorded.Id, seconds * 1000);
        SessionTurnPipeline.Log.TurnContent(_logger, sessionId, recorded.Id, recorded.Query, recorded.Answer);
        if (!turn.OverCallersHistory)
        {
            _turns.Recorded(sessionId, recorded);
            await TitleAsync(turn.Store, sessionId, recorded, cancellationToken).ConfigureAwait(false);
        }

        await FollowUpAsync(turn, recorded, summarizeLater, cancellationToken).ConfigureAwait(false);
        return recorded;
    }

    /// <summary>Reports a turn that recorded nothing: a cancellation when the caller cancelled it, otherwise a failure
    /// (a model call that timed out on its own throws <see cref="OperationCanceledException"/> too, and is a failure).</summary>
    public void RecordFailure(SessionTurn turn, Exception exception, CancellationToken cancellationToken)
    {
        turn.Activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        turn.Activity?.SetTag("error.type", exception.GetType().FullName);
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            SessionTurnPipeline.Log.TurnCancelled(_logger, turn.StoreSessionId);
        }
        else
        {
            SessionTurnPipeline.Log.TurnFailed(_logger, turn.StoreSessionId, exception);
        }
    }

    /// <summary>
    /// The work after a recorded turn: the selector's vector of it, the model's summary of it (when deferred) and the rolling summary.
    /// Queued on the worker when there is one, else done now; it never fails the turn, which is recorded already. A caller's history
    /// keeps no rolling summary, and its work is done now.
    /// </summary>
    private async Task FollowUpAsync(SessionTurn turn, Message recorded, bool summarize, CancellationToken cancellationToken)
    {
        var sessionId = turn.StoreSessionId;
        var fold = _options.RollingSummary && recorded.Id > _options.MaxContextMessages && !turn.OverCallersHistory;
        var indexer = turn.Selector as ITurnIndexer is { IndexesTurns: true } selectorIndexer ? selectorIndexer : null;
        if (!summarize && !fold && indexer is null)
        {
            return;
        }

        if (_worker is null || turn.OverCallersHistory)
        {
            try
            {
                if (indexer is not null)
                {
                    await IndexRecordedAsync(indexer, turn, recorded, cancellationToken).ConfigureAwait(false);
                }

                if (fold)
                {
                    await Folder.FoldAsync(sessionId, recorded.Id, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The turn is recorded; the caller's cancellation only stops the fold, which the next turn does.
                SessionTurnPipeline.Log.FollowUpCancelled(_logger, sessionId, recorded.Id);
            }
            catch (Exception ex)
            {
                SessionTurnPipeline.Log.FollowUpFailed(_logger, sessionId, recorded.Id, ex);
            }

            return;
        }

        try
        {
            await _worker.EnqueueAsync(
                async token =>
                {
                    if (indexer is not null)
                    {
                        await IndexRecordedAsync(indexer, turn, recorded, token).ConfigureAwait(false);
                    }

                    if (summarize)
                    {
                        await SummarizeRecordedAsync(turn.Store, sessionId, recorded, token).ConfigureAwait(false);
                    }

                    if (fold)
                    {
                        await Folder.FoldAsync(sessionId, recorded.Id, token).ConfigureAwait(false);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled while the queue was full: the turn keeps its short summary, and the next turn folds what this one would have.
            SessionTurnPipeline.Log.FollowUpNotQueued(_logger, sessionId, recorded.Id);
        }
    }

    /// <summary>Computes what the selector keeps from the whole recorded turn (its vector) and stores it with the turn.</summary>
    private async Task IndexRecordedAsync(ITurnIndexer indexer, SessionTurn turn, Message recorded, CancellationToken cancellationToken)
    {
        Message? indexed;
        try
        {
            indexed = await indexer.IndexTurnAsync(recorded, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            SessionTurnPipeline.Log.PrepareFallback(_logger, indexer.GetType().Name, ex);
            return;
        }

        if (indexed is null)
        {
            return;
        }

        await turn.Store.UpdateEmbeddingsAsync(turn.StoreSessionId, [indexed], cancellationToken).ConfigureAwait(false);
        if (!turn.OverCallersHistory)
        {
            _turns.Updated(turn.StoreSessionId, [indexed]);
        }
    }

    /// <summary>Writes the summarizer's summary of a recorded turn over the short one it was recorded with.</summary>
    private async Task SummarizeRecordedAsync(ISessionStore store, string sessionId, Message recorded, CancellationToken cancellationToken)
    {
        var (summary, fellBack) = await TurnSummaries.SummarizeAsync(_summarizer, _logger, recorded.Query, recorded.Answer, cancellationToken).ConfigureAwait(false);
        if (fellBack || string.Equals(summary, recorded.Summary, StringComparison.Ordinal))
        {
            return;
        }

        if (!await store.UpdateTurnSummaryAsync(sessionId, recorded.Id, summary, cancellationToken).ConfigureAwait(false))
        {
            SessionTurnPipeline.Log.TurnSummaryNotWritten(_logger, sessionId, recorded.Id);
        }
    }

    /// <summary>
    /// The messages to keep with the turn. Additional properties whose values are not plain JSON values (such as Agent Framework's
    /// message attribution) are left out, so that every store can persist the messages.
    /// </summary>
    private static ChatMessage[] ForStorage(List<ChatMessage> messages)
    {
        var result = new ChatMessage[messages.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var message = messages[i];
            if (message.AdditionalProperties is { Count: > 0 } properties && properties.Any(static p => !IsPlainJsonValue(p.Value)))
            {
                message = message.Clone();
                var kept = new AdditionalPropertiesDictionary();
                foreach (var (key, value) in properties)
                {
                    if (IsPlainJsonValue(value))
                    {
                        kept[key] = value;
                    }
                }

                message.AdditionalProperties = kept.Count == 0 ? null : kept;
            }

            result[i] = message;
        }

        return result;
    }

    /// <summary>
    /// What is kept of a stopped response's messages: the text, and the function calls answered within it with their results. A
    /// call cut off with the stream has no result, and would make the turn unusable as context.
    /// </summary>
    private static IEnumerable<ChatMessage> Answered(IList<ChatMessage> messages)
    {
        var calls = messages.SelectMany(static m => m.Contents).OfType<FunctionCallContent>().Select(static c => c.CallId).ToHashSet(StringComparer.Ordinal);
        var results = messages.SelectMany(static m => m.Contents).OfType<FunctionResultContent>().Select(static c => c.CallId).ToHashSet(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            var kept = message.Contents.Where(c => c switch
            {
                TextContent text => text.Text.Length > 0,
                FunctionCallContent call => results.Contains(call.CallId),
                FunctionResultContent result => calls.Contains(result.CallId),
                _ => false,
            }).ToList();
            if (kept.Count > 0)
            {
                yield return new ChatMessage(message.Role, kept) { AuthorName = message.AuthorName, CreatedAt = message.CreatedAt, MessageId = message.MessageId };
            }
        }
    }

    private static bool IsPlainJsonValue(object? value) =>
        value is null or string or bool or int or long or double or float or decimal or System.Text.Json.JsonElement;

    /// <summary>The answer of a response: the text of its last message that has text (the final answer after any function calls).</summary>
    private static string FinalText(ChatResponse response)
    {
        for (var i = response.Messages.Count - 1; i >= 0; i--)
        {
            var message = response.Messages[i];
            if (message.Role != ChatRole.User && message.Role != ChatRole.Tool && message.Text is { Length: > 0 } text)
            {
                return text;
            }
        }

        return response.Text;
    }
}
