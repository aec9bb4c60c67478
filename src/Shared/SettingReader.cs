using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions;

/// <summary>One setting as read: the name it was found under and its trimmed value.</summary>
internal sealed record Setting(string Name, string Value);

/// <summary>
/// Reads settings by hand from the application's configuration, for the packages' options binders: no reflection, and a
/// malformed value fails with a message that names the setting. Compiled into each package that binds options (src/Shared).
/// The process environment is never read here: the original system's variable names reach the configuration only through
/// <c>AddDexterSessionsEnvironmentVariables()</c>.
/// </summary>
internal static class SettingReader
{
    /// <summary>Looks keys up in <paramref name="configuration"/>; finds nothing when it is <see langword="null"/>.</summary>
    public static Func<string, string?> Lookup(IConfiguration? configuration) =>
        configuration is null ? static _ => null : key => configuration[key];

    /// <summary>Reads the configuration key <paramref name="key"/>.</summary>
    /// <returns>
    /// The value, trimmed, with the setting's name (the key, and the original system's variable name when there is one),
    /// or <see langword="null"/> when the key is missing or blank.
    /// </returns>
    public static Setting? Read(Func<string, string?> lookup, string key)
    {
        var value = lookup(key);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var name = DexterSessionsEnvironmentVariables.NameFor(key) is { } variable ? key + " (" + variable + ")" : key;
        return new Setting(name, value.Trim());
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
