using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions;

/// <summary>One setting as read: the name it was found under and its trimmed value.</summary>
internal sealed record Setting(string Name, string Value);

/// <summary>
/// Reads settings by hand from configuration or the process environment, for the packages' options binders: no
/// reflection, and a malformed value fails with a message that names the setting. Compiled into each package that
/// binds options (src/Shared).
/// </summary>
internal static class SettingReader
{
    /// <summary>Looks keys up in <paramref name="configuration"/>, or in the process environment when it is <see langword="null"/>.</summary>
    public static Func<string, string?> Lookup(IConfiguration? configuration) =>
        configuration is null ? Environment.GetEnvironmentVariable : key => configuration[key];

    /// <summary>
    /// Reads the configuration key <paramref name="key"/>, then its environment-variable form (<c>A__B__C</c> for <c>A:B:C</c>,
    /// which matters when the lookup is the process environment), then <paramref name="environmentVariable"/>.
    /// </summary>
    /// <returns>The first non-blank value found, or <see langword="null"/>.</returns>
    public static Setting? Read(Func<string, string?> lookup, string? key, string? environmentVariable = null)
    {
        if (key is not null)
        {
            foreach (var candidate in (ReadOnlySpan<string>)[key, key.Replace(":", "__", StringComparison.Ordinal)])
            {
                var value = lookup(candidate);
                if (!string.IsNullOrWhiteSpace(value))
                {
                    return new Setting(candidate, value.Trim());
                }
            }
        }

        if (environmentVariable is not null)
        {
            var value = lookup(environmentVariable);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return new Setting(environmentVariable, value.Trim());
            }
        }

        return null;
    }

    public static int ParseInt(Setting setting) =>
        int.TryParse(setting.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(setting, "a whole number");

    public static long ParseLong(Setting setting) =>
        long.TryParse(setting.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(setting, "a whole number");

    public static bool ParseBool(Setting setting) => setting.Value.ToUpperInvariant() switch
    {
        "TRUE" or "1" or "YES" or "ON" => true,
        "FALSE" or "0" or "NO" or "OFF" => false,
        _ => throw Invalid(setting, "true or false"),
    };

    public static TimeSpan ParseTimeSpan(Setting setting) =>
        TimeSpan.TryParse(setting.Value, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(setting, "a time span such as 00:00:05 or 1.00:00:00");

    /// <summary>The error for a malformed value; values of secrets (names with KEY, SECRET or PASSWORD) are not repeated.</summary>
    public static InvalidOperationException Invalid(Setting setting, string expected)
    {
        var secret = setting.Name.Contains("KEY", StringComparison.OrdinalIgnoreCase) ||
            setting.Name.Contains("SECRET", StringComparison.OrdinalIgnoreCase) ||
            setting.Name.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase);
        return new($"The setting {setting.Name} has the value '{(secret ? "***" : setting.Value)}', which is not {expected}. Correct or remove it.");
    }
}
