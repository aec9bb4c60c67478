namespace Dexter.Sessions;

/// <summary>
/// Records every access to a session (<see cref="SessionAuditEvent"/>) and reads a session's trail back.
/// The endpoints of Dexter.Sessions.AspNetCore record through it; <see cref="SessionAuditLog"/> is the default.
/// </summary>
public interface ISessionAuditLog
{
    /// <summary>Records one event.</summary>
    /// <param name="auditEvent">The event.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the event is recorded.</returns>
    Task RecordAsync(SessionAuditEvent auditEvent, CancellationToken cancellationToken = default);

    /// <summary>Reads the events kept for a session, oldest first.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The events, or <see langword="null"/> when this log keeps none it can read back (logs only).</returns>
    Task<IReadOnlyList<SessionAuditEvent>?> GetEventsAsync(string sessionId, CancellationToken cancellationToken = default);
}
