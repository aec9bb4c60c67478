using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Dexter.Sessions;

/// <summary>
/// The steps of a turn shared by <see cref="DexterAgent"/> and <see cref="SessionChatClient"/>: select context,
/// format it, and after the model answered, summarize and prepare the new turn.
/// </summary>
internal sealed partial class SessionTurnPipeline(
    ISummarizer summarizer,
    IMessageSelector selector,
    DexterSessionsOptions options,
    TimeProvider timeProvider,
    ILogger logger)
{
    public DexterSessionsOptions Options { get; } = options;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public void ValidateQuery(string query)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        if (query.Length > Options.MaxQueryLength)
        {
            throw new ArgumentException(
                $"The query has {query.Length} characters; at most {Options.MaxQueryLength} are allowed (Dexter:Sessions:MaxQueryLength).",
                nameof(query));
        }
    }

    /// <summary>Reads the candidate turns of a session from its store and selects the context among them.</summary>
    public async Task<IReadOnlyList<Message>> SelectFromStoreAsync(ISessionStore store, string sessionId, string query, CancellationToken cancellationToken)
    {
        var max = Options.MaxContextMessages;
        var candidates = await store.GetRecentAsync(sessionId, Math.Max(max, selector.GetCandidateCount(max)), cancellationToken).ConfigureAwait(false);
        return await SelectAsync(new MessageSelectionContext(query, candidates, max) { SessionId = sessionId, Store = store }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Selects context turns; a failing selector falls back to the latest turns.</summary>
    public async Task<IReadOnlyList<Message>> SelectAsync(MessageSelectionContext context, CancellationToken cancellationToken)
    {
        if (context.Turns.Count == 0)
        {
            return [];
        }

        try
        {
            return await selector.SelectAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            DexterSessionsTelemetry.SelectorFallbacks.Add(1);
            Log.SelectionFallback(logger, selector.GetType().Name, ex);
            return RecentMessageSelector.TakeLast(context.Turns, context.MaxMessages);
        }
    }

    /// <summary>Builds the messages sent to the model: instructions, the formatted context, then the caller's messages.</summary>
    public List<ChatMessage> BuildMessages(IReadOnlyList<Message> context, IEnumerable<ChatMessage> conversation)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(Options.Instructions))
        {
            messages.Add(new ChatMessage(ChatRole.System, Options.Instructions));
        }

        if (context.Count > 0)
        {
            messages.Add(new ChatMessage(ChatRole.System, MessageHistory.FormatForPlanning(context)));
        }

        messages.AddRange(conversation);
        return messages;
    }

    /// <summary>Makes the turn to record once the model has answered: summary, usage, timing, and the selector's preparation.</summary>
    public async Task<Message> CreateTurnAsync(string query, string answer, UsageDetails? usage, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        string summary;
        try
        {
            summary = await summarizer.SummarizeAsync(query, answer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            DexterSessionsTelemetry.SummarizerFallbacks.Add(1, new KeyValuePair<string, object?>("reason", ex.GetType().Name));
            Log.SummaryFallback(logger, summarizer.GetType().Name, ex);
            summary = TruncatingSummarizer.Summarize(query, answer);
        }

        var turn = new Message
        {
            Query = query,
            Answer = answer,
            Summary = summary,
            CreatedAt = TimeProvider.GetUtcNow(),
            InputTokenCount = usage?.InputTokenCount,
            OutputTokenCount = usage?.OutputTokenCount,
            ResponseTime = elapsed,
        };

        try
        {
            return await selector.PrepareTurnAsync(turn, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.PrepareFallback(logger, selector.GetType().Name, ex);
            return turn;
        }
    }

    public void TurnRecorded(string sessionId, Message turn, long startTimestamp)
    {
        var seconds = TimeProvider.GetElapsedTime(startTimestamp).TotalSeconds;
        DexterSessionsTelemetry.TurnsRecorded.Add(1);
        DexterSessionsTelemetry.TurnDuration.Record(seconds);
        Log.TurnRecorded(logger, sessionId, turn.Id, seconds * 1000);
        Log.TurnContent(logger, sessionId, turn.Id, turn.Query, turn.Answer);
    }

    /// <summary>Logs a run that recorded nothing: a cancellation when the caller cancelled it, otherwise a failure
    /// (a model call that timed out on its own throws <see cref="OperationCanceledException"/> too, and is a failure).</summary>
    public void TurnFailed(string sessionId, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            Log.TurnCancelled(logger, sessionId);
        }
        else
        {
            Log.TurnFailed(logger, sessionId, exception);
        }
    }
}
