using Microsoft.AspNetCore.Http;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// The <c>session_id</c> cookie: <c>HttpOnly</c>, <c>SameSite=Lax</c>, <c>Secure</c> when configured, living as long as a
/// session. Only the POST endpoints that created or used a session set it, and <c>DELETE /history</c> expires it; a GET never
/// sets or changes it, so a link cannot plant a session in a browser.
/// </summary>
internal sealed class SessionCookies(DexterSessionsEndpointOptions options, DexterSessionsOptions sessionOptions)
{
    public const string Name = "session_id";

    public static string? Read(HttpContext context) => context.Request.Cookies[Name];

    public void Set(HttpContext context, string sessionId) => context.Response.Cookies.Append(Name, sessionId, Options(context));

    public void Expire(HttpContext context) => context.Response.Cookies.Delete(Name, Options(context));

    private CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = options.SecureCookies,
        MaxAge = sessionOptions.SessionTtl,
        Path = context.Request.PathBase.HasValue ? context.Request.PathBase.Value : "/",
        IsEssential = true,
    };
}
