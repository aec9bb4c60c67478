using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Binds <see cref="DexterSessionsEndpointOptions"/> from configuration and the original system's environment variables, by hand,
/// so that a malformed value fails with a message naming the setting (and no reflection is needed).
/// </summary>
internal static class DexterSessionsEndpointOptionsBinder
{
    private const string RateLimitKey = "Dexter:Sessions:RateLimit:PermitsPerMinute";

    public static void Bind(DexterSessionsEndpointOptions options, IConfiguration? configuration) =>
        Bind(options, configuration is null ? Environment.GetEnvironmentVariable : key => configuration[key]);

    public static void Bind(DexterSessionsEndpointOptions options, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);

        if (Read(lookup, Key("ApiKey"), "BACKEND_API_KEY") is { } apiKey)
        {
            options.ApiKey = apiKey.Value;
        }

        if (Read(lookup, Key("JwtSecret"), "JWT_SECRET") is { } secret)
        {
            options.JwtSecret = secret.Value;
        }

        if (Read(lookup, Key("JwtIssuer"), environmentVariable: null) is { } issuer)
        {
            options.JwtIssuer = issuer.Value;
        }

        if (Read(lookup, Key("JwtAudience"), environmentVariable: null) is { } audience)
        {
            options.JwtAudience = audience.Value;
        }

        if (Read(lookup, Key("SecureCookies"), "SECURE_COOKIES") is { } secure)
        {
            options.SecureCookies = ParseBool(secure);
        }

        if (Read(lookup, RateLimitKey, "DEXTER_RATE_LIMIT_PER_MINUTE") is { } permits)
        {
            options.RateLimitPermitsPerMinute = ParseInt(permits);
        }

        if (Read(lookup, Key("MaxRequestBodySize"), environmentVariable: null) is { } size)
        {
            options.MaxRequestBodySize = long.TryParse(size.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Invalid(size, "a whole number");
        }
    }

    private static string Key(string name) => DexterSessionsEndpointOptions.SectionName + ":" + name;

    private static Setting? Read(Func<string, string?> lookup, string key, string? environmentVariable)
    {
        var value = lookup(key);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return new Setting(key, value.Trim());
        }

        if (environmentVariable is not null)
        {
            value = lookup(environmentVariable);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return new Setting(environmentVariable, value.Trim());
            }
        }

        return null;
    }

    private static int ParseInt(Setting setting) =>
        int.TryParse(setting.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(setting, "a whole number");

    private static bool ParseBool(Setting setting) => setting.Value.ToUpperInvariant() switch
    {
        "TRUE" or "1" or "YES" or "ON" => true,
        "FALSE" or "0" or "NO" or "OFF" => false,
        _ => throw Invalid(setting, "true or false"),
    };

    private static InvalidOperationException Invalid(Setting setting, string expected) =>
        new($"The setting {setting.Name} has the value '{(setting.Name.Contains("KEY", StringComparison.OrdinalIgnoreCase) || setting.Name.Contains("SECRET", StringComparison.OrdinalIgnoreCase) ? "***" : setting.Value)}', which is not {expected}. Correct or remove it.");

    private sealed record Setting(string Name, string Value);
}
