using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Binds <see cref="DexterSessionsEndpointOptions"/> from configuration, by hand,
/// so that a malformed value fails with a message naming the setting (and no reflection is needed).
/// </summary>
internal static class DexterSessionsEndpointOptionsBinder
{
    private const string RateLimitKey = "Dexter:Sessions:RateLimit:PermitsPerMinute";
    private const string ClientRateLimitKey = "Dexter:Sessions:RateLimit:ClientPermitsPerMinute";

    public static void Bind(DexterSessionsEndpointOptions options, IConfiguration? configuration) =>
        Bind(options, SettingReader.Lookup(configuration));

    public static void Bind(DexterSessionsEndpointOptions options, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);

        if (SettingReader.Read(lookup, Key("ApiKey")) is { } apiKey)
        {
            options.ApiKey = apiKey.Value;
        }

        if (SettingReader.Read(lookup, Key("JwtSecret")) is { } secret)
        {
            options.JwtSecret = secret.Value;
        }

        if (SettingReader.Read(lookup, Key("JwtIssuer")) is { } issuer)
        {
            options.JwtIssuer = issuer.Value;
        }

        if (SettingReader.Read(lookup, Key("JwtAudience")) is { } audience)
        {
            options.JwtAudience = audience.Value;
        }

        if (SettingReader.Read(lookup, Key("SecureCookies")) is { } secure)
        {
            options.SecureCookies = SettingReader.ParseBool(secure);
        }

        if (SettingReader.Read(lookup, RateLimitKey) is { } permits)
        {
            options.RateLimitPermitsPerMinute = SettingReader.ParseInt(permits);
        }

        if (SettingReader.Read(lookup, ClientRateLimitKey) is { } clientPermits)
        {
            options.ClientRateLimitPermitsPerMinute = SettingReader.ParseInt(clientPermits);
        }

        if (SettingReader.Read(lookup, Key("MaxAnswerLength")) is { } maxAnswer)
        {
            options.MaxAnswerLength = SettingReader.ParseInt(maxAnswer);
        }

        if (SettingReader.Read(lookup, Key("MaxRequestBodySize")) is { } size)
        {
            options.MaxRequestBodySize = SettingReader.ParseLong(size);
        }
    }

    private static string Key(string name) => DexterSessionsEndpointOptions.SectionName + ":" + name;
}
