namespace Dexter.Sessions;

/// <summary>
/// Writes the rolling summary of a session: one text that stands for every turn older than the recent window, updated
/// incrementally from the previous summary and the turns that have just left the window, never from the whole history.
/// </summary>
/// <remarks>
/// <see cref="SessionTurnPipeline"/> calls it after a turn is recorded (in the background where a <see cref="SessionSummaryWorker"/>
/// runs) and keeps the result with the session (<see cref="ISessionStore.TrySetSummaryAsync"/>). An exception keeps the previous
/// summary: the pipeline logs a warning, and the same turns are folded again after the next turn.
/// </remarks>
public interface IRollingSummarizer
{
    /// <summary>Folds turns into a session's summary.</summary>
    /// <param name="previousSummary">The summary so far, or <see langword="null"/> when the session has none yet.</param>
    /// <param name="turns">The turns that left the window since, oldest first; at least one.</param>
    /// <param name="maxTokens">How many tokens the new summary may take; a longer one is cut by the caller.</param>
    /// <param name="cancellationToken">A token to cancel the work.</param>
    /// <returns>The new summary; it stands for everything <paramref name="previousSummary"/> did, and for <paramref name="turns"/>.</returns>
    ValueTask<string> FoldAsync(string? previousSummary, IReadOnlyList<Message> turns, int maxTokens, CancellationToken cancellationToken = default);
}
