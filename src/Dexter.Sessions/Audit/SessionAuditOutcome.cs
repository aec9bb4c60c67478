namespace Dexter.Sessions;

/// <summary>How an access to a session ended.</summary>
public enum SessionAuditOutcome
{
    /// <summary>The access succeeded.</summary>
    Succeeded,

    /// <summary>The session is unknown or belongs to another principal (answered 404 over HTTP).</summary>
    NotFound,

    /// <summary>The caller's credentials were missing or wrong (answered 401 over HTTP).</summary>
    Unauthorized,

    /// <summary>The caller or the session exceeded a rate limit (answered 429 over HTTP).</summary>
    RateLimited,
}
