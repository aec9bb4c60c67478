using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.AspNetCore;

/// <summary>Validates <see cref="DexterSessionsEndpointOptions"/>; each failure names the setting (never a secret's value).</summary>
internal sealed class DexterSessionsEndpointOptionsValidator : IValidateOptions<DexterSessionsEndpointOptions>
{
    private const long MaxBodySizeLimit = 100 * 1024 * 1024;
    private const int MaxAnswerLengthLimit = 10_000_000;

    public ValidateOptionsResult Validate(string? name, DexterSessionsEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.JwtSecret is { } secret && Encoding.UTF8.GetByteCount(secret) < DexterSessionsEndpointOptions.MinJwtSecretBytes)
        {
            failures.Add(Invariant(
                $"JWT_SECRET (Dexter:Sessions:Endpoints:JwtSecret) must have at least {DexterSessionsEndpointOptions.MinJwtSecretBytes} bytes for HS256; it has {Encoding.UTF8.GetByteCount(secret)}. Use a longer random secret, for example from 'openssl rand -base64 48'."));
        }

        if (options.ApiKey is { Length: 0 })
        {
            failures.Add("BACKEND_API_KEY (Dexter:Sessions:Endpoints:ApiKey) must not be empty; remove it to turn API keys off.");
        }

        if (options.RateLimitPermitsPerMinute < 0)
        {
            failures.Add(Invariant($"Dexter:Sessions:RateLimit:PermitsPerMinute (DEXTER_RATE_LIMIT_PER_MINUTE) must be 0 (off) or more; it is {options.RateLimitPermitsPerMinute}."));
        }

        if (options.ClientRateLimitPermitsPerMinute < 0)
        {
            failures.Add(Invariant($"Dexter:Sessions:RateLimit:ClientPermitsPerMinute must be 0 (off) or more; it is {options.ClientRateLimitPermitsPerMinute}."));
        }

        if (options.MaxAnswerLength is < 1 or > MaxAnswerLengthLimit)
        {
            failures.Add(Invariant($"Dexter:Sessions:Endpoints:MaxAnswerLength must be from 1 to {MaxAnswerLengthLimit} characters; it is {options.MaxAnswerLength}."));
        }

        if (options.OwnerResolver is null)
        {
            failures.Add("DexterSessionsEndpointOptions.OwnerResolver must not be null; leave it unset to read the 'sub' or NameIdentifier claim.");
        }

        if (options.MaxRequestBodySize is < 1024 or > MaxBodySizeLimit)
        {
            failures.Add(Invariant($"Dexter:Sessions:Endpoints:MaxRequestBodySize must be from 1024 to {MaxBodySizeLimit} bytes; it is {options.MaxRequestBodySize}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
