using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Decides who calls an endpoint: nobody in particular when no credential is configured, otherwise the holder of the API key
/// or the subject of a valid HS256 bearer token. The answer is the owner recorded on the sessions the caller creates.
/// </summary>
internal sealed class DexterSessionsAuthentication(IOptions<DexterSessionsEndpointOptions> options)
{
    public const string ApiKeyScheme = "DexterSessions.ApiKey";
    public const string JwtScheme = "DexterSessions.Jwt";
    public const string SubjectClaim = "sub";
    public const string ApiKeyOwner = "api-key";

    private readonly DexterSessionsEndpointOptions _options = options.Value;

    public async Task<CallerResult> AuthenticateAsync(HttpContext context)
    {
        if (!_options.RequiresCredential)
        {
            return CallerResult.Anonymous;
        }

        string? failure = null;
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            var result = await context.AuthenticateAsync(ApiKeyScheme).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return CallerResult.Owner(ApiKeyOwner);
            }

            failure = result.Failure?.Message;
        }

        if (!string.IsNullOrEmpty(_options.JwtSecret))
        {
            var result = await context.AuthenticateAsync(JwtScheme).ConfigureAwait(false);
            if (result.Succeeded)
            {
                var subject = result.Principal.FindFirst(SubjectClaim)?.Value;
                return string.IsNullOrEmpty(subject)
                    ? CallerResult.Rejected("The bearer token has no 'sub' claim naming its principal.")
                    : CallerResult.Owner("jwt:" + subject);
            }

            failure ??= result.Failure is null ? null : "The bearer token is not valid (signature, algorithm or expiry).";
        }

        return CallerResult.Rejected(failure ?? Missing());
    }

    private string Missing() => (string.IsNullOrEmpty(_options.ApiKey), string.IsNullOrEmpty(_options.JwtSecret)) switch
    {
        (false, false) => "A credential is required: send an X-API-Key header or an Authorization: Bearer token.",
        (false, true) => "A credential is required: send an X-API-Key header.",
        _ => "A credential is required: send an Authorization: Bearer token.",
    };

    /// <summary>Configures the JwtBearer scheme from <see cref="DexterSessionsEndpointOptions"/>: HS256 only, signed, unexpired.</summary>
    internal sealed class JwtBearerSetup(IOptions<DexterSessionsEndpointOptions> endpointOptions) : IConfigureNamedOptions<JwtBearerOptions>
    {
        public void Configure(string? name, JwtBearerOptions options)
        {
            if (name != JwtScheme)
            {
                return;
            }

            var settings = endpointOptions.Value;
            options.MapInboundClaims = false;
            options.RequireHttpsMetadata = false;
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuerSigningKey = true,
                IssuerSigningKey = settings.JwtSecret is { Length: > 0 } secret ? new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)) : null,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ValidateLifetime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                ValidateIssuer = settings.JwtIssuer is not null,
                ValidIssuer = settings.JwtIssuer,
                ValidateAudience = settings.JwtAudience is not null,
                ValidAudience = settings.JwtAudience,
                NameClaimType = SubjectClaim,
            };
        }

        public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);
    }
}

/// <summary>Who called: an owner (or none, when no credential is required), or a rejection with its reason.</summary>
internal readonly record struct CallerResult(bool Succeeded, string? OwnerId, string? Failure)
{
    public static CallerResult Anonymous => new(true, null, null);

    public static CallerResult Owner(string owner) => new(true, owner, null);

    public static CallerResult Rejected(string failure) => new(false, null, failure);
}
