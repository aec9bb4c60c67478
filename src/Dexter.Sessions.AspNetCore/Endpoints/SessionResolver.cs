using Microsoft.AspNetCore.Http;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Finds the session a request names (<c>?session_id=</c>, the body, or the cookie) and checks that it belongs to the caller.
/// Another principal's session is answered exactly like an unknown one: 404.
/// </summary>
internal sealed class SessionResolver(ISessionStore store, EndpointProblems problems)
{
    public const string Parameter = "session_id";

    /// <summary>The session of <c>?session_id=</c>, else of the cookie; a problem when there is none, or it is malformed, unknown or another's.</summary>
    public async Task<(string? SessionId, IResult? Error)> ResolveExistingAsync(HttpContext context, Caller caller)
    {
        string? sessionId = context.Request.Query[Parameter];
        if (string.IsNullOrEmpty(sessionId))
        {
            sessionId = SessionCookies.Read(context);
        }

        if (string.IsNullOrEmpty(sessionId))
        {
            return (null, problems.BadRequest(context, caller.RequestId, "No session given: pass ?session_id=... or send the session_id cookie."));
        }

        var error = await CheckOwnedAsync(context, caller, sessionId).ConfigureAwait(false);
        return error is null ? (sessionId, null) : (null, error);
    }

    /// <summary>A problem when <paramref name="sessionId"/> is malformed, unknown or not the caller's; <see langword="null"/> when it is usable.</summary>
    public async Task<IResult?> CheckOwnedAsync(HttpContext context, Caller caller, string sessionId)
    {
        if (!SessionId.IsValid(sessionId))
        {
            return problems.BadRequest(context, caller.RequestId,
                $"The session id is not valid: it must have 1 to {SessionId.MaxLength} characters, each an ASCII letter, digit, '-' or '_'.");
        }

        if (await IsOwnedAsync(sessionId, caller, context.RequestAborted).ConfigureAwait(false))
        {
            return null;
        }

        await EndpointAudit.DeniedAsync(context, caller, sessionId, SessionAuditOutcome.NotFound).ConfigureAwait(false);
        return problems.SessionNotFound(context, caller.RequestId);
    }

    /// <summary>Whether the session exists and belongs to the caller.</summary>
    public async Task<bool> IsOwnedAsync(string sessionId, Caller caller, CancellationToken cancellationToken)
    {
        var metadata = await store.GetMetadataAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return metadata is not null && string.Equals(metadata.Owner, caller.Owner, StringComparison.Ordinal);
    }
}

/// <summary>Who called, for one request.</summary>
/// <param name="RequestId">The request id (from <c>X-Request-Id</c>, or generated).</param>
/// <param name="Owner">The principal that owns the sessions the caller creates; <see langword="null"/> when anyone may call.</param>
/// <param name="ClientKey">Whom the per-client rate limit counts: the owner, else the remote address.</param>
internal readonly record struct Caller(string RequestId, string? Owner, string ClientKey);
