using System.Security.Claims;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Settings of the HTTP endpoints mapped by <c>MapDexterSessions()</c>, bound from the configuration section
/// <see cref="SectionName"/>; the bare environment variables (<c>BACKEND_API_KEY</c>, <c>JWT_SECRET</c>,
/// <c>SECURE_COOKIES</c>, <c>DEXTER_RATE_LIMIT_PER_MINUTE</c>) count only where the application calls
/// <c>configuration.AddDexterSessionsEnvironmentVariables()</c>.
/// </summary>
/// <remarks>
/// <para>
/// A key of the section wins over the matching environment variable; code given to <c>AddEndpoints(configure)</c> runs last.
/// Values are validated when the application starts.
/// </para>
/// <para>
/// Who owns a session: when the host authenticated the request (any scheme, for example through
/// <c>.RequireAuthorization()</c> on the route group), the host's user as given by <see cref="OwnerResolver"/>. Otherwise,
/// when <see cref="ApiKey"/> or <see cref="JwtSecret"/> is set (the standalone mode), the holder of the key
/// or the token's subject, and a request with neither is answered 401. Otherwise nobody in particular.
/// </para>
/// </remarks>
public sealed class DexterSessionsEndpointOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Dexter:Sessions:Endpoints";

    /// <summary>The default of <see cref="RateLimitPermitsPerMinute"/>: 10 queries a minute.</summary>
    public const int DefaultRateLimitPermitsPerMinute = 10;

    /// <summary>The default of <see cref="MaxRequestBodySize"/>: 64 KiB.</summary>
    public const long DefaultMaxRequestBodySize = 64 * 1024;

    /// <summary>The default of <see cref="ClientRateLimitPermitsPerMinute"/>: 60 requests a minute.</summary>
    public const int DefaultClientRateLimitPermitsPerMinute = 60;

    /// <summary>The default of <see cref="MaxAnswerLength"/>: 100,000 characters.</summary>
    public const int DefaultMaxAnswerLength = 100_000;

    /// <summary>How many turns <c>GET /history</c> returns when the request gives no <c>limit</c>.</summary>
    public const int DefaultHistoryPageSize = 50;

    /// <summary>The largest <c>limit</c> <c>GET /history</c> accepts; a larger one is answered 400.</summary>
    public const int MaxHistoryPageSize = 500;

    /// <summary>The shortest <see cref="JwtSecret"/> accepted, in bytes of UTF-8: HS256 needs a 256-bit key.</summary>
    public const int MinJwtSecretBytes = 32;

    /// <summary>Gets or sets the API key clients send in the <c>X-API-Key</c> header; it is compared in constant time.</summary>
    /// <value>The default is <see langword="null"/>: no API key. Key <c>Dexter:Sessions:Endpoints:ApiKey</c>, or <c>BACKEND_API_KEY</c>.</value>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the secret that signs HS256 bearer tokens (JWT); the token's <c>sub</c> claim owns the sessions it creates.</summary>
    /// <value>
    /// At least <see cref="MinJwtSecretBytes"/> bytes; the default is <see langword="null"/>: no bearer tokens.
    /// Key <c>Dexter:Sessions:Endpoints:JwtSecret</c>, or <c>JWT_SECRET</c>.
    /// </value>
    public string? JwtSecret { get; set; }

    /// <summary>Gets or sets the issuer bearer tokens must name in <c>iss</c>.</summary>
    /// <value>The default is <see langword="null"/>: the issuer is not checked. Key <c>Dexter:Sessions:Endpoints:JwtIssuer</c>.</value>
    public string? JwtIssuer { get; set; }

    /// <summary>Gets or sets the audience bearer tokens must name in <c>aud</c>.</summary>
    /// <value>The default is <see langword="null"/>: the audience is not checked. Key <c>Dexter:Sessions:Endpoints:JwtAudience</c>.</value>
    public string? JwtAudience { get; set; }

    /// <summary>Gets or sets whether the <c>session_id</c> cookie is marked <c>Secure</c> (sent over HTTPS only).</summary>
    /// <value>The default is <see langword="false"/>. Key <c>Dexter:Sessions:Endpoints:SecureCookies</c>, or <c>SECURE_COOKIES</c>.</value>
    public bool SecureCookies { get; set; }

    /// <summary>Gets or sets how many queries one session may make per minute; more are answered 429 with <c>Retry-After</c>.</summary>
    /// <value>
    /// Zero or more, 0 turning the limit off; the default is 10. Key <c>Dexter:Sessions:RateLimit:PermitsPerMinute</c>,
    /// or <c>DEXTER_RATE_LIMIT_PER_MINUTE</c>.
    /// </value>
    public int RateLimitPermitsPerMinute { get; set; } = DefaultRateLimitPermitsPerMinute;

    /// <summary>
    /// Gets or sets how many session creations and queries one client may make per minute, whatever the session; more are
    /// answered 429 with <c>Retry-After</c>. The client is the owner (the host's user, the API key's holder or the token's
    /// subject), else the remote IP address.
    /// </summary>
    /// <value>
    /// Zero or more, 0 turning the limit off; the default is 60. Key <c>Dexter:Sessions:RateLimit:ClientPermitsPerMinute</c>.
    /// </value>
    public int ClientRateLimitPermitsPerMinute { get; set; } = DefaultClientRateLimitPermitsPerMinute;

    /// <summary>
    /// Gets or sets the longest answer recorded, in characters. When the model writes more, the stream ends with an
    /// <c>error</c> event, the model's call is cancelled and nothing is recorded.
    /// </summary>
    /// <value>From 1 to 10,000,000; the default is 100,000. Key <c>Dexter:Sessions:Endpoints:MaxAnswerLength</c>.</value>
    public int MaxAnswerLength { get; set; } = DefaultMaxAnswerLength;

    /// <summary>
    /// Gets or sets how the owner of a session is read from a user the host authenticated. A <see langword="null"/> or empty
    /// result answers the request 401.
    /// </summary>
    /// <value>The default reads the <c>sub</c> claim, else <see cref="ClaimTypes.NameIdentifier"/>.</value>
    public Func<ClaimsPrincipal, string?> OwnerResolver { get; set; } = DefaultOwnerResolver;

    /// <summary>Gets or sets the largest request body accepted, in bytes; a larger one is answered 413.</summary>
    /// <value>From 1,024 to 100 MiB; the default is 64 KiB. Key <c>Dexter:Sessions:Endpoints:MaxRequestBodySize</c>.</value>
    public long MaxRequestBodySize { get; set; } = DefaultMaxRequestBodySize;

    /// <summary>
    /// Gets whether a request the host did not authenticate needs the standalone mode's credential: <see cref="ApiKey"/> or
    /// <see cref="JwtSecret"/> is set.
    /// </summary>
    public bool RequiresCredential => !string.IsNullOrEmpty(ApiKey) || !string.IsNullOrEmpty(JwtSecret);

    private static string? DefaultOwnerResolver(ClaimsPrincipal user) =>
        user.FindFirst("sub")?.Value is { Length: > 0 } subject ? subject : user.FindFirst(ClaimTypes.NameIdentifier)?.Value;
}
