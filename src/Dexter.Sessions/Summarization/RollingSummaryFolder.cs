using Microsoft.Extensions.Logging;
using Microsoft.ML.Tokenizers;

namespace Dexter.Sessions;

/// <summary>
/// Keeps a session's rolling summary: folds the turns that left the recent window (<see cref="DexterSessionsOptions.MaxContextMessages"/>)
/// into it, after a turn is recorded.
/// </summary>
internal sealed class RollingSummaryFolder
{
    /// <summary>How many turns one update of the rolling summary folds at most; a summary further behind skips the oldest (with a warning).</summary>
    public const int MaxFoldTurns = 256;

    private readonly ISessionStore _store;
    private readonly DexterSessionsOptions _options;
    private readonly Tokenizer _tokenizer;
    private readonly IRollingSummarizer _rollingSummarizer;
    private readonly ISummarizer _summarizer;
    private readonly bool _summariesDeferred;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a folder.</summary>
    /// <param name="store">Where the turns and the summary are kept.</param>
    /// <param name="options">The options: the recent window and the summary's size.</param>
    /// <param name="tokenizer">Counts the summary's tokens.</param>
    /// <param name="rollingSummarizer">Writes the summary.</param>
    /// <param name="summarizer">Summarizes a turn folded before its own summary was written.</param>
    /// <param name="summariesDeferred">Whether turns are recorded with a short summary and summarized afterwards (on the worker).</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The pipeline's logger.</param>
    public RollingSummaryFolder(
        ISessionStore store, DexterSessionsOptions options, Tokenizer tokenizer, IRollingSummarizer rollingSummarizer, ISummarizer summarizer,
        bool summariesDeferred, TimeProvider timeProvider, ILogger logger)
    {
        _store = store;
        _options = options;
        _tokenizer = tokenizer;
        _rollingSummarizer = rollingSummarizer;
        _summarizer = summarizer;
        _summariesDeferred = summariesDeferred;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Folds the turns that have left the recent window since the rolling summary was last written into it: the previous summary and
    /// those turns only. The write is a compare-and-set on the turn id the summary covers, so of two concurrent updates one wins and
    /// the other starts again from it; no folded turn is lost. A summarizer that fails keeps the previous summary.
    /// </summary>
    public async Task FoldAsync(string sessionId, int lastTurnId, CancellationToken cancellationToken)
    {
        var window = _options.MaxContextMessages;
        var through = lastTurnId - window;
        for (var attempt = 0; attempt < 3 && through >= 1; attempt++)
        {
            var current = await _store.GetSummaryAsync(sessionId, cancellationToken).ConfigureAwait(false);
            var covered = current?.ThroughTurnId ?? 0;
            if (covered >= through)
            {
                return;
            }

            // Read back to the first turn not covered yet. Turns appended since this turn shift "the latest n": read again, further.
            var read = Math.Min(lastTurnId - covered, window + MaxFoldTurns);
            var recent = await _store.GetRecentAsync(sessionId, read, cancellationToken).ConfigureAwait(false);
            for (var again = 0; again < 3 && recent.Count == read && recent[0].Id > covered + 1 && read < window + MaxFoldTurns; again++)
            {
                read = Math.Min(recent[^1].Id - covered, window + MaxFoldTurns);
                recent = await _store.GetRecentAsync(sessionId, read, cancellationToken).ConfigureAwait(false);
            }

            var turns = recent.Where(t => t.Id > covered && t.Id <= through).OrderBy(static t => t.Id).ToList();
            if (turns.Count == 0)
            {
                return; // the session was deleted, or its older turns are gone
            }

            if (turns[0].Id > covered + 1 && recent.Count == read)
            {
                if (read < window + MaxFoldTurns)
                {
                    return; // appends keep racing ahead of the reads: a later turn folds these, never with a gap
                }

                SessionTurnPipeline.Log.FoldSkipped(_logger, sessionId, covered + 1, turns[0].Id - 1);
            }

            string text;
            try
            {
                await UseFinalSummariesAsync(turns, cancellationToken).ConfigureAwait(false);
                text = await FoldTurnsAsync(current?.Text, turns, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                DexterSessionsTelemetry.SummarizerFallbacks.Add(1, new KeyValuePair<string, object?>("reason", "rolling:" + ex.GetType().Name));
                SessionTurnPipeline.Log.RollingSummaryFailed(_logger, _rollingSummarizer.GetType().Name, sessionId, covered, ex);
                return;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                SessionTurnPipeline.Log.RollingSummaryEmpty(_logger, _rollingSummarizer.GetType().Name, sessionId);
                return;
            }

            if (_tokenizer.CountTokens(text) > _options.RollingSummaryMaxTokens)
            {
                text = ContextBudget.Cut(_tokenizer, text, _options.RollingSummaryMaxTokens);
            }

            var folded = new SessionSummary(text, turns[^1].Id, _timeProvider.GetUtcNow());
            if (await _store.TrySetSummaryAsync(sessionId, folded, covered, cancellationToken).ConfigureAwait(false))
            {
                SessionTurnPipeline.Log.RollingSummaryUpdated(_logger, sessionId, turns.Count, folded.ThroughTurnId);
                return;
            }

            // Another turn's update got there first: start again from the summary it wrote.
        }
    }

    /// <summary>
    /// With summaries written after the turn (a model, on the worker), a turn may be folded before its own summary is written: it
    /// is summarized here, so that the rolling summary holds the summarizer's summary of every turn whatever the timing, and the
    /// same turns give the same summary. The turn's own work writes its summary to the store.
    /// </summary>
    private async Task UseFinalSummariesAsync(List<Message> turns, CancellationToken cancellationToken)
    {
        if (!_summariesDeferred)
        {
            return;
        }

        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (string.Equals(turn.Summary, TruncatingSummarizer.Summarize(turn.Query, turn.Answer), StringComparison.Ordinal))
            {
                var (summary, _) = await TurnSummaries.SummarizeAsync(_summarizer, _logger, turn.Query, turn.Answer, cancellationToken).ConfigureAwait(false);
                turns[i] = turn with { Summary = summary };
            }
        }
    }

    /// <summary>
    /// Folds turns into the summary. The extractive summarizer folds them one at a time, so that the summary depends only on the
    /// turns, not on how many the worker found waiting at once: the same turns give the same summary, however they were timed. A
    /// model folds them in one call.
    /// </summary>
    private async ValueTask<string> FoldTurnsAsync(string? previous, List<Message> turns, CancellationToken cancellationToken)
    {
        if (_rollingSummarizer is not ExtractiveRollingSummarizer extractive)
        {
            return await _rollingSummarizer.FoldAsync(previous, turns, _options.RollingSummaryMaxTokens, cancellationToken).ConfigureAwait(false);
        }

        var text = previous;
        foreach (var turn in turns)
        {
            cancellationToken.ThrowIfCancellationRequested();
            text = extractive.Fold(text, [turn], _options.RollingSummaryMaxTokens);
        }

        return text ?? string.Empty;
    }

}
