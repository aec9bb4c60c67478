namespace Dexter.Sessions;

/// <summary>
/// Writes a session's title from its first turn. When the summarizer of a <see cref="SessionTurnPipeline"/> is one (as
/// <see cref="ChatClientSummarizer"/> is, with <see cref="DexterSessionsOptions.SummarizeWithLlm"/>), the pipeline stores its title
/// after the first turn, in the background, unless the owner named the session meanwhile.
/// </summary>
public interface ISessionTitleWriter
{
    /// <summary>Writes a short title for the session that starts with this turn.</summary>
    /// <param name="query">The first question.</param>
    /// <param name="answer">The answer to it.</param>
    /// <param name="cancellationToken">A token to cancel the work.</param>
    /// <returns>The title, or <see langword="null"/> when there is none to give.</returns>
    ValueTask<string?> WriteTitleAsync(string query, string answer, CancellationToken cancellationToken = default);
}
