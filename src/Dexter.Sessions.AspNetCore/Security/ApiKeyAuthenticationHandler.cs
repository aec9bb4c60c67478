using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Authenticates the <c>X-API-Key</c> header against <see cref="DexterSessionsEndpointOptions.ApiKey"/>, in constant time:
/// both keys are hashed to SHA-256 and the hashes compared with <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither
/// the content nor the length of the key leaks through timing.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<DexterSessionsEndpointOptions> endpointOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string HeaderName = "X-API-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var configured = endpointOptions.Value.ApiKey;
        if (string.IsNullOrEmpty(configured) || !Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (values.Count != 1 || values[0] is not { Length: > 0 } given || !KeysEqual(given, configured))
        {
            return Task.FromResult(AuthenticateResult.Fail("The API key in the X-API-Key header is not valid."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(DexterSessionsAuthentication.SubjectClaim, DexterSessionsAuthentication.ApiKeyOwner)],
            Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    internal static bool KeysEqual(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
