using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Records what the endpoints do in the registered <see cref="ISessionAuditLog"/> (<c>AddEndpoints()</c> registers
/// <see cref="SessionAuditLog"/>): principal, request id, remote address, and never content.
/// </summary>
internal static class EndpointAudit
{
    public static ISessionAuditLog? Log(HttpContext context) => context.RequestServices.GetService<ISessionAuditLog>();

    public static Task RecordAsync(
        HttpContext context, Caller caller, SessionAuditAction action, string? sessionId,
        SessionAuditOutcome outcome = SessionAuditOutcome.Succeeded, int? turnId = null) =>
        RecordAsync(context, caller.Owner, caller.RequestId, action, sessionId, outcome, turnId);

    public static Task DeniedAsync(HttpContext context, Caller caller, string? sessionId, SessionAuditOutcome outcome) =>
        RecordAsync(context, caller.Owner, caller.RequestId, SessionAuditAction.Denied, sessionId ?? RequestedSession(context), outcome);

    /// <summary>The session a request names in <c>?session_id=</c> or the cookie, when well formed.</summary>
    public static string? RequestedSession(HttpContext context)
    {
        string? sessionId = context.Request.Query[SessionResolver.Parameter];
        if (string.IsNullOrEmpty(sessionId))
        {
            sessionId = SessionCookies.Read(context);
        }

        return SessionId.IsValid(sessionId) ? sessionId : null;
    }

    public static Task RecordAsync(
        HttpContext context, string? principal, string requestId, SessionAuditAction action, string? sessionId,
        SessionAuditOutcome outcome = SessionAuditOutcome.Succeeded, int? turnId = null)
    {
        if (Log(context) is not { } log)
        {
            return Task.CompletedTask;
        }

        var time = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        return log.RecordAsync(
            new SessionAuditEvent
            {
                Timestamp = time.GetUtcNow(),
                Action = action,
                SessionId = sessionId,
                Principal = principal,
                RequestId = requestId,
                RemoteAddress = context.Connection.RemoteIpAddress?.ToString(),
                Outcome = outcome,
                TurnId = turnId,
            },
            // An access that happened is recorded even when the client goes away meanwhile.
            CancellationToken.None);
    }
}
