using System.Globalization;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>Validates <see cref="LexicalSelectorOptions"/>; each failure names the setting, the rule and the value it had.</summary>
internal sealed class LexicalSelectorOptionsValidator : IValidateOptions<LexicalSelectorOptions>
{
    public static LexicalSelectorOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, LexicalSelectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.AlwaysIncludeLatest < 0)
        {
            failures.Add(Invariant($"LexicalSelectorOptions.AlwaysIncludeLatest must be at least 0; it is {options.AlwaysIncludeLatest}."));
        }

        if (options.MaxCandidates < 1)
        {
            failures.Add(Invariant($"LexicalSelectorOptions.MaxCandidates must be at least 1; it is {options.MaxCandidates}."));
        }

        if (double.IsNaN(options.RecencyWeight) || options.RecencyWeight < 0 || options.RecencyWeight > 1)
        {
            failures.Add(Invariant($"LexicalSelectorOptions.RecencyWeight must be between 0 and 1; it is {options.RecencyWeight}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
