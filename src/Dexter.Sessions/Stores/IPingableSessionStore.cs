namespace Dexter.Sessions;

/// <summary>
/// A session store that can check that its backend answers, for health checks and readiness probes
/// (<see cref="SessionStoreHealthCheck"/>). Find it behind decorators with <c>store.GetService&lt;IPingableSessionStore&gt;()</c>.
/// </summary>
public interface IPingableSessionStore : ISessionStore
{
    /// <summary>Gets where the store keeps its sessions, as messages name it.</summary>
    /// <value>For example <c>Redis at localhost:6379</c>, or <c>The SQLite session database sessions.db</c>.</value>
    string Description { get; }

    /// <summary>Checks that the backend answers, with its tables at a version the store can use where it has tables.</summary>
    /// <param name="cancellationToken">A token to cancel the wait.</param>
    /// <returns>How long the check took.</returns>
    /// <exception cref="SessionStoreUnavailableException">The backend did not answer in time.</exception>
    /// <exception cref="SessionStoreException">The backend answered, but the store cannot use it, for example because its tables are newer than the store.</exception>
    Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default);
}
