namespace Dexter.Sessions;

/// <summary>Makes the short summary recorded with each turn.</summary>
public interface ISummarizer
{
    /// <summary>Summarizes one turn.</summary>
    /// <param name="query">The user's query.</param>
    /// <param name="answer">The agent's answer.</param>
    /// <param name="cancellationToken">A token to cancel the summary.</param>
    /// <returns>The summary.</returns>
    ValueTask<string> SummarizeAsync(string query, string answer, CancellationToken cancellationToken = default);
}
