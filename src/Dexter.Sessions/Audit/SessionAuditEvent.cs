namespace Dexter.Sessions;

/// <summary>
/// One access to a session: when, what, by whom, from where and how it ended. It never holds conversation content
/// (queries, answers, summaries).
/// </summary>
public sealed record SessionAuditEvent
{
    /// <summary>Gets when the access happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets what was done.</summary>
    public required SessionAuditAction Action { get; init; }

    /// <summary>Gets the session, or <see langword="null"/> when the request named none.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the principal that acted, or <see langword="null"/> for an anonymous caller.</summary>
    public string? Principal { get; init; }

    /// <summary>Gets the id of the request that acted (<c>X-Request-Id</c> over HTTP), when there was one.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the remote address of the caller, when known.</summary>
    public string? RemoteAddress { get; init; }

    /// <summary>Gets how the access ended; <see cref="SessionAuditOutcome.Succeeded"/> unless <see cref="Action"/> is <see cref="SessionAuditAction.Denied"/>.</summary>
    public SessionAuditOutcome Outcome { get; init; }

    /// <summary>Gets the turn recorded by a <see cref="SessionAuditAction.Queried"/> event; <see langword="null"/> otherwise.</summary>
    public int? TurnId { get; init; }
}
