namespace Dexter.Sessions;

/// <summary>What happened to a session, as one <see cref="SessionAuditEvent"/> records it.</summary>
public enum SessionAuditAction
{
    /// <summary>The session was created.</summary>
    Created,

    /// <summary>A query was answered and recorded as a turn (<see cref="SessionAuditEvent.TurnId"/>).</summary>
    Queried,

    /// <summary>The session's history was read.</summary>
    HistoryRead,

    /// <summary>The session's statistics were read.</summary>
    StatisticsRead,

    /// <summary>The session's audit trail was read.</summary>
    AuditRead,

    /// <summary>The whole session was exported.</summary>
    Exported,

    /// <summary>The session and all its content were erased; the audit trail keeps only this fact.</summary>
    Cleared,

    /// <summary>The session was imported from an export document.</summary>
    Imported,

    /// <summary>An access was refused (<see cref="SessionAuditEvent.Outcome"/> says why).</summary>
    Denied,

    /// <summary>The owner renamed the session (set its title).</summary>
    Renamed,

    /// <summary>The session was rewound: turns after a given turn were removed (<see cref="SessionAuditEvent"/> carries the turn kept last).</summary>
    Rewound,

    /// <summary>A new session was forked from this one (the event names the source session and the last turn copied).</summary>
    Forked,

    /// <summary>A retried query with a turn key got the turn recorded before, without calling the model.</summary>
    Replayed,

    /// <summary>
    /// A query's answer was stopped by its caller (a disconnect, a stop button) and the turn recorded with the partial answer,
    /// marked <see cref="Message.Interrupted"/> (<see cref="SessionAuditEvent"/> carries the turn id).
    /// </summary>
    Interrupted,
}
