namespace Dexter.Sessions;

/// <summary>
/// The optional capability of a session store to keep audit trails next to its sessions: append-only, never holding
/// conversation content, and kept after the session is deleted until the retention passes. The in-memory, Redis, SQLite
/// and PostgreSQL stores implement it; <see cref="SessionAuditLog"/> finds it behind decorators with
/// <see cref="SessionStoreExtensions.GetService{T}(ISessionStore)"/>, and falls back to logs only for a store without it.
/// </summary>
public interface ISessionAuditStore
{
    /// <summary>Appends an event to the trail of its session, and keeps the trail at least <paramref name="retention"/> from now.</summary>
    /// <param name="auditEvent">The event; its <see cref="SessionAuditEvent.SessionId"/> must be set.</param>
    /// <param name="retention">How long the trail is kept after this event.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the event is stored.</returns>
    Task AppendAuditEventAsync(SessionAuditEvent auditEvent, TimeSpan retention, CancellationToken cancellationToken = default);

    /// <summary>Reads the trail of a session, oldest first; empty when none is kept.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The events in the order they were appended.</returns>
    Task<IReadOnlyList<SessionAuditEvent>> GetAuditEventsAsync(string sessionId, CancellationToken cancellationToken = default);
}
