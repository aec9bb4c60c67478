using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions;

/// <summary>
/// Binds <see cref="DexterSessionsOptions"/> from a configuration section and the original system's environment variables,
/// by hand, so that a malformed value fails with a message naming the setting (and no reflection is needed).
/// </summary>
internal static class DexterSessionsOptionsBinder
{
    public static void Bind(DexterSessionsOptions options, IConfiguration? configuration)
    {
        Bind(options, configuration is null ? Environment.GetEnvironmentVariable : key => configuration[key]);
    }

    public static void Bind(DexterSessionsOptions options, Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lookup);

        if (Read(lookup, "MaxContextMessages", "DEXTER_MAX_CONTEXT_MESSAGES") is { } max)
        {
            options.MaxContextMessages = ParseInt(max);
        }

        if (Read(lookup, "SummarizeWithLlm", "DEXTER_SUMMARIZE_LLM") is { } summarize)
        {
            options.SummarizeWithLlm = ParseBool(summarize);
        }

        if (Read(lookup, "UseEmbeddings", "DEXTER_USE_EMBEDDINGS") is { } embeddings)
        {
            options.UseEmbeddings = ParseBool(embeddings);
        }

        if (Read(lookup, "SessionTtl", environmentVariable: null) is { } ttl)
        {
            options.SessionTtl = ParseTimeSpan(ttl);
        }
        else if (Read(lookup, key: null, "DEXTER_SESSION_TTL_SECONDS") is { } ttlSeconds)
        {
            options.SessionTtl = TimeSpan.FromSeconds(ParseInt(ttlSeconds));
        }

        if (Read(lookup, "SummarizerTimeout", environmentVariable: null) is { } timeout)
        {
            options.SummarizerTimeout = ParseTimeSpan(timeout);
        }

        if (Read(lookup, "MaxQueryLength", environmentVariable: null) is { } maxQuery)
        {
            options.MaxQueryLength = ParseInt(maxQuery);
        }

        if (Read(lookup, "Instructions", environmentVariable: null) is { } instructions)
        {
            options.Instructions = instructions.Value;
        }
    }

    private static Setting? Read(Func<string, string?> lookup, string? key, string? environmentVariable)
    {
        if (key is not null)
        {
            // The section key, then its environment-variable form (Dexter__Sessions__Key), which matters when the
            // lookup is the process environment rather than an IConfiguration that already maps "__" to ":".
            var name = DexterSessionsOptions.SectionName + ":" + key;
            foreach (var candidate in (ReadOnlySpan<string>)[name, name.Replace(":", "__", StringComparison.Ordinal)])
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

    private static TimeSpan ParseTimeSpan(Setting setting) =>
        TimeSpan.TryParse(setting.Value, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Invalid(setting, "a time span such as 00:00:10 or 1.00:00:00");

    private static InvalidOperationException Invalid(Setting setting, string expected) =>
        new($"The setting {setting.Name} has the value '{setting.Value}', which is not {expected}. Correct or remove it.");

    private sealed record Setting(string Name, string Value);
}
