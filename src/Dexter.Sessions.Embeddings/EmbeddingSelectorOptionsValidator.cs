using System.Globalization;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings;

/// <summary>Validates <see cref="EmbeddingSelectorOptions"/>; each failure names the setting, the rule and the value it had.</summary>
internal sealed class EmbeddingSelectorOptionsValidator : IValidateOptions<EmbeddingSelectorOptions>
{
    public static EmbeddingSelectorOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, EmbeddingSelectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!double.IsFinite(options.SimilarityWeight) || options.SimilarityWeight < 0)
        {
            failures.Add(Invariant($"EmbeddingSelectorOptions.SimilarityWeight must be a finite number of at least 0; it is {options.SimilarityWeight}."));
        }

        if (!double.IsFinite(options.RecencyWeight) || options.RecencyWeight < 0)
        {
            failures.Add(Invariant($"EmbeddingSelectorOptions.RecencyWeight must be a finite number of at least 0; it is {options.RecencyWeight}."));
        }

        if (options.SimilarityWeight == 0 && options.RecencyWeight == 0)
        {
            failures.Add("EmbeddingSelectorOptions.SimilarityWeight and RecencyWeight are both 0; give at least one of them a positive weight.");
        }

        if (double.IsNaN(options.SimilarityThreshold) || options.SimilarityThreshold < -1 || options.SimilarityThreshold > 1)
        {
            failures.Add(Invariant($"EmbeddingSelectorOptions.SimilarityThreshold must be between -1 and 1; it is {options.SimilarityThreshold}."));
        }

        if (options.MaxCandidates < 1)
        {
            failures.Add(Invariant($"EmbeddingSelectorOptions.MaxCandidates must be at least 1; it is {options.MaxCandidates}."));
        }

        if (options.EmbeddingTimeout <= TimeSpan.Zero && options.EmbeddingTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add(Invariant($"EmbeddingSelectorOptions.EmbeddingTimeout must be positive, or Timeout.InfiniteTimeSpan for no limit; it is {options.EmbeddingTimeout}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
