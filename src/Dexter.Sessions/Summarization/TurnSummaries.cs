using Microsoft.Extensions.Logging;

namespace Dexter.Sessions;

/// <summary>Summarizes a turn with the configured summarizer, falling back to truncation (counted and logged) when it fails.</summary>
internal static class TurnSummaries
{
    /// <summary>The summarizer's summary of a turn; the truncated one, with <c>FellBack</c> set, when the summarizer fails.</summary>
    public static async Task<(string Summary, bool FellBack)> SummarizeAsync(ISummarizer summarizer, ILogger logger, string query, string answer, CancellationToken cancellationToken)
    {
        try
        {
            return (await summarizer.SummarizeAsync(query, answer, cancellationToken).ConfigureAwait(false), false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            DexterSessionsTelemetry.SummarizerFallbacks.Add(1, new KeyValuePair<string, object?>("reason", ex.GetType().Name));
            SessionTurnPipeline.Log.SummaryFallback(logger, summarizer.GetType().Name, ex);
            return (TruncatingSummarizer.Summarize(query, answer), true);
        }
    }
}
