using System.Globalization;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>Validates <see cref="RelevanceSelectorOptions"/>; each failure names the setting, the rule and the value it had.</summary>
internal sealed class RelevanceSelectorOptionsValidator : IValidateOptions<RelevanceSelectorOptions>
{
    public static RelevanceSelectorOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, RelevanceSelectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.AlwaysIncludeLatest < 0)
        {
            failures.Add(Invariant($"{Key("AlwaysIncludeLatest")} must be at least 0; it is {options.AlwaysIncludeLatest}."));
        }

        if (!double.IsFinite(options.LexicalWeight) || options.LexicalWeight < 0)
        {
            failures.Add(Invariant($"{Key("LexicalWeight")} must be a finite number of at least 0; it is {options.LexicalWeight}."));
        }

        if (!double.IsFinite(options.VectorWeight) || options.VectorWeight < 0)
        {
            failures.Add(Invariant($"{Key("VectorWeight")} must be a finite number of at least 0; it is {options.VectorWeight}."));
        }

        if (options.LexicalWeight == 0 && options.VectorWeight == 0)
        {
            failures.Add($"{Key("LexicalWeight")} and {Key("VectorWeight")} cannot both be 0: nothing would rank the turns.");
        }

        if (double.IsNaN(options.RecencyWeight) || options.RecencyWeight < 0 || options.RecencyWeight > 1)
        {
            failures.Add(Invariant($"{Key("RecencyWeight")} must be between 0 and 1; it is {options.RecencyWeight}."));
        }

        if (options.MaxTurns is < 1)
        {
            failures.Add(Invariant($"{Key("MaxTurns")} must be at least 1, or unset for the token budget to decide; it is {options.MaxTurns}."));
        }

        if (options.MaxEmbeddedPerQuery < 0)
        {
            failures.Add(Invariant($"{Key("MaxEmbeddedPerQuery")} must be at least 0; it is {options.MaxEmbeddedPerQuery}."));
        }

        if (options.EmbeddingTimeout <= TimeSpan.Zero && options.EmbeddingTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add(Invariant($"{Key("EmbeddingTimeout")} must be positive, or Timeout.InfiniteTimeSpan for no limit; it is {options.EmbeddingTimeout}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Key(string name) => RelevanceSelectorOptions.SectionName + ":" + name;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
