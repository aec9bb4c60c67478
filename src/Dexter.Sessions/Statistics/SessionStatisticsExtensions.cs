namespace Dexter.Sessions;

/// <summary>Reads the <see cref="SessionStatistics"/> of a session from any <see cref="ISessionStore"/>.</summary>
public static class SessionStatisticsExtensions
{
    /// <summary>Computes the figures of a session from its metadata and turns (two reads; the turns are read whole).</summary>
    /// <param name="store">The store.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">A token to cancel the reads.</param>
    /// <returns>The figures, or <see langword="null"/> when the session does not exist.</returns>
    public static async Task<SessionStatistics?> GetStatisticsAsync(this ISessionStore store, string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        SessionId.ThrowIfInvalid(sessionId);
        var metadata = await store.GetMetadataAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            return null;
        }

        var history = await store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return SessionStatistics.Compute(metadata, history?.GetAll() ?? []);
    }
}
