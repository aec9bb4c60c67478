using System.Globalization;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>Validates <see cref="DexterSessionsOptions"/>; each failure names the setting and the value it had.</summary>
internal sealed class DexterSessionsOptionsValidator : IValidateOptions<DexterSessionsOptions>
{
    public ValidateOptionsResult Validate(string? name, DexterSessionsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxContextMessages < 1)
        {
            failures.Add(Invariant($"Dexter:Sessions:MaxContextMessages (DEXTER_MAX_CONTEXT_MESSAGES) must be at least 1; it is {options.MaxContextMessages}."));
        }

        if (options.MaxContextTokens < DexterSessionsOptions.MinMaxContextTokens)
        {
            failures.Add(Invariant($"Dexter:Sessions:MaxContextTokens (DEXTER_MAX_CONTEXT_TOKENS) must be at least {DexterSessionsOptions.MinMaxContextTokens}; it is {options.MaxContextTokens}."));
        }

        if (options.RollingSummaryMaxTokens < DexterSessionsOptions.MinRollingSummaryMaxTokens)
        {
            failures.Add(Invariant($"Dexter:Sessions:RollingSummaryMaxTokens (DEXTER_ROLLING_SUMMARY_MAX_TOKENS) must be at least {DexterSessionsOptions.MinRollingSummaryMaxTokens}; it is {options.RollingSummaryMaxTokens}."));
        }

        if (options.SummaryQueueCapacity < 1)
        {
            failures.Add(Invariant($"Dexter:Sessions:SummaryQueueCapacity must be at least 1; it is {options.SummaryQueueCapacity}."));
        }

        if (options.SessionTtl <= TimeSpan.Zero)
        {
            failures.Add(Invariant($"Dexter:Sessions:SessionTtl (DEXTER_SESSION_TTL_SECONDS) must be positive; it is {options.SessionTtl}."));
        }

        if (options.SummarizerTimeout <= TimeSpan.Zero)
        {
            failures.Add(Invariant($"Dexter:Sessions:SummarizerTimeout must be positive; it is {options.SummarizerTimeout}."));
        }

        if (options.MaxQueryLength < 1)
        {
            failures.Add(Invariant($"Dexter:Sessions:MaxQueryLength must be at least 1; it is {options.MaxQueryLength}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
