using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Decides who calls an endpoint, without touching the host's authentication: the host's user when the host authenticated
/// the request; else, in the standalone mode, the holder of the API key or the subject of a valid HS256 bearer token; else
/// nobody in particular. The answer is the owner recorded on the sessions the caller creates.
/// </summary>
/// <remarks>
/// The standalone credentials are checked here rather than through authentication schemes, so that the package adds no
/// scheme: a host with one scheme keeps it as its default and challenge scheme.
/// </remarks>
internal sealed class CallerAuthenticator
{
    public const string ApiKeyHeader = "X-API-Key";
    public const string UserOwnerPrefix = "user:";
    public const string JwtOwnerPrefix = "jwt:";
    public const string ApiKeyOwner = "api-key";

    private readonly DexterSessionsEndpointOptions _options;
    private readonly TokenValidationParameters? _tokenParameters;
    private readonly JsonWebTokenHandler _tokens = new() { MapInboundClaims = false };

    public CallerAuthenticator(IOptions<DexterSessionsEndpointOptions> options)
    {
        _options = options.Value;
        if (_options.JwtSecret is { Length: > 0 } secret)
        {
            _tokenParameters = new TokenValidationParameters
            {
                ValidateIssuerSigningKey = true,
                IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ValidateLifetime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                ValidateIssuer = _options.JwtIssuer is not null,
                ValidIssuer = _options.JwtIssuer,
                ValidateAudience = _options.JwtAudience is not null,
                ValidAudience = _options.JwtAudience,
            };
        }
    }

    public async Task<CallerResult> AuthenticateAsync(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            return _options.OwnerResolver(context.User) is { Length: > 0 } user
                ? CallerResult.Owner(UserOwnerPrefix + user)
                : CallerResult.Rejected(
                    "The signed-in user has no 'sub' or NameIdentifier claim to own sessions; set DexterSessionsEndpointOptions.OwnerResolver.");
        }

        if (!_options.RequiresCredential)
        {
            return CallerResult.Anonymous;
        }

        string? failure = null;
        if (!string.IsNullOrEmpty(_options.ApiKey) && context.Request.Headers.TryGetValue(ApiKeyHeader, out var keys))
        {
            if (keys.Count == 1 && keys[0] is { Length: > 0 } given && KeysEqual(given, _options.ApiKey))
            {
                return CallerResult.Owner(ApiKeyOwner);
            }

            failure = "The API key in the X-API-Key header is not valid.";
        }

        if (_tokenParameters is not null && BearerToken(context.Request) is { } token)
        {
            var result = await _tokens.ValidateTokenAsync(token, _tokenParameters).ConfigureAwait(false);
            if (result.IsValid)
            {
                var subject = result.ClaimsIdentity.FindFirst("sub")?.Value;
                return string.IsNullOrEmpty(subject)
                    ? CallerResult.Rejected("The bearer token has no 'sub' claim naming its principal.")
                    : CallerResult.Owner(JwtOwnerPrefix + subject);
            }

            failure ??= "The bearer token is not valid (signature, algorithm or expiry).";
        }

        return CallerResult.Rejected(failure ?? Missing());
    }

    /// <summary>The <c>WWW-Authenticate</c> challenges of the standalone mode.</summary>
    public string[] Challenges()
    {
        var challenges = new List<string>(2);
        if (!string.IsNullOrEmpty(_options.JwtSecret))
        {
            challenges.Add("Bearer");
        }

        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            challenges.Add("ApiKey header=\"" + ApiKeyHeader + "\"");
        }

        return [.. challenges];
    }

    /// <summary>Compares API keys in constant time: both are hashed to SHA-256 so neither content nor length leaks through timing.</summary>
    internal static bool KeysEqual(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static string? BearerToken(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7
            ? header[7..].Trim()
            : null;
    }

    private string Missing() => (string.IsNullOrEmpty(_options.ApiKey), string.IsNullOrEmpty(_options.JwtSecret)) switch
    {
        (false, false) => "A credential is required: send an X-API-Key header or an Authorization: Bearer token.",
        (false, true) => "A credential is required: send an X-API-Key header.",
        _ => "A credential is required: send an Authorization: Bearer token.",
    };
}

/// <summary>Who called: an owner (or none, when no credential is required), or a rejection with its reason.</summary>
internal readonly record struct CallerResult(bool Succeeded, string? OwnerId, string? Failure)
{
    public static CallerResult Anonymous => new(true, null, null);

    public static CallerResult Owner(string owner) => new(true, owner, null);

    public static CallerResult Rejected(string failure) => new(false, null, failure);
}
