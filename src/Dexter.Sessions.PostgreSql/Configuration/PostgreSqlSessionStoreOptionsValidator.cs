using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.PostgreSql;

/// <summary>Validates <see cref="PostgreSqlSessionStoreOptions"/>; each failure names the setting and the value it had.</summary>
internal sealed partial class PostgreSqlSessionStoreOptionsValidator : IValidateOptions<PostgreSqlSessionStoreOptions>
{
    /// <summary>The longest table prefix: with <c>schema_version</c> after it, a name stays within PostgreSQL's 63 bytes.</summary>
    public const int MaxTablePrefixLength = 40;

    public ValidateOptionsResult Validate(string? name, PostgreSqlSessionStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Section = PostgreSqlSessionStoreOptions.SectionName;
        if (options.DataSource is null && !string.IsNullOrWhiteSpace(options.ConnectionString) &&
            !PostgreSqlConnectionStringParser.TryValidate(options.ConnectionString, out var error))
        {
            failures.Add(error!);
        }

        if (options.Schema is null || options.Schema.Length > 63 || !Identifier().IsMatch(options.Schema))
        {
            failures.Add($"{Section}:Schema must be a lower-case PostgreSQL name (letters, digits, '_', starting with a letter or '_', at most 63 characters); it is '{options.Schema}'.");
        }

        if (options.TablePrefix is null || options.TablePrefix.Length > MaxTablePrefixLength ||
            (options.TablePrefix.Length > 0 && !Identifier().IsMatch(options.TablePrefix)))
        {
            failures.Add($"{Section}:TablePrefix must be lower-case letters, digits and '_' (starting with a letter or '_'), at most {MaxTablePrefixLength} characters; it is '{options.TablePrefix}'.");
        }

        if (options.SessionTtl < TimeSpan.FromMilliseconds(1))
        {
            failures.Add(Invariant($"{Section}:SessionTtl must be at least one millisecond; it is {options.SessionTtl}."));
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.ConnectTimeout > TimeSpan.FromHours(1))
        {
            failures.Add(Invariant($"{Section}:ConnectTimeout must be positive and at most an hour; it is {options.ConnectTimeout}."));
        }

        if (options.OperationTimeout <= TimeSpan.Zero || options.OperationTimeout > TimeSpan.FromHours(1))
        {
            failures.Add(Invariant($"{Section}:OperationTimeout must be positive and at most an hour; it is {options.OperationTimeout}."));
        }

        if (options.CleanupInterval <= TimeSpan.Zero)
        {
            failures.Add(Invariant($"{Section}:CleanupInterval must be positive; it is {options.CleanupInterval}."));
        }

        if (options.CleanupBatchSize is < 1 or > 100_000)
        {
            failures.Add(Invariant($"{Section}:CleanupBatchSize must be from 1 to 100000; it is {options.CleanupBatchSize}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex Identifier();
}
