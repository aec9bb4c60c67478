using System.Globalization;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Sqlite;

/// <summary>Validates <see cref="SqliteSessionStoreOptions"/>; each failure names the setting and the value it had.</summary>
internal sealed class SqliteSessionStoreOptionsValidator : IValidateOptions<SqliteSessionStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteSessionStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Path is { } path && (path.Trim().Length == 0 || path.IndexOf('\0', StringComparison.Ordinal) >= 0))
        {
            failures.Add("Dexter:Sessions:Sqlite:Path (DEXTER_SQLITE_PATH) must name a file, such as sessions.db; it is blank.");
        }

        if (!IsValidPrefix(options.TablePrefix))
        {
            failures.Add($"Dexter:Sessions:Sqlite:TablePrefix must be letters, digits and '_', start with a letter or '_', and have at most 32 characters; it is '{options.TablePrefix}'.");
        }

        if (options.SessionTtl < TimeSpan.FromMilliseconds(1))
        {
            failures.Add(Invariant($"Dexter:Sessions:Sqlite:SessionTtl must be at least one millisecond; it is {options.SessionTtl}."));
        }

        if (options.Timeout < TimeSpan.FromMilliseconds(1) || options.Timeout > TimeSpan.FromHours(1))
        {
            failures.Add(Invariant($"Dexter:Sessions:Sqlite:Timeout must be between 1 millisecond and 1 hour; it is {options.Timeout}."));
        }

        if (options.Durability is not (SqliteDurability.Full or SqliteDurability.Normal))
        {
            failures.Add($"Dexter:Sessions:Sqlite:Durability must be Full or Normal; it is {options.Durability}.");
        }

        if (options.CleanupInterval <= TimeSpan.Zero || options.CleanupInterval.TotalMilliseconds > int.MaxValue)
        {
            failures.Add(Invariant($"Dexter:Sessions:Sqlite:CleanupInterval must be positive (and under 24 days); it is {options.CleanupInterval}."));
        }

        if (options.CleanupBatchSize < 1)
        {
            failures.Add(Invariant($"Dexter:Sessions:Sqlite:CleanupBatchSize must be at least 1; it is {options.CleanupBatchSize}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsValidPrefix(string? prefix)
    {
        if (prefix is null || prefix.Length is 0 or > 32 || char.IsAsciiDigit(prefix[0]))
        {
            return false;
        }

        foreach (var c in prefix)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
