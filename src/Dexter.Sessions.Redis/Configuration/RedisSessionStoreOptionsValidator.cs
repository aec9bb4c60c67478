using System.Globalization;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Redis;

/// <summary>Validates <see cref="RedisSessionStoreOptions"/>; each failure names the setting and the value it had.</summary>
internal sealed class RedisSessionStoreOptionsValidator : IValidateOptions<RedisSessionStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisSessionStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ConfigurationOptions is null && options.ConnectionMultiplexerFactory is null &&
            !string.IsNullOrWhiteSpace(options.Configuration) &&
            !RedisConfigurationParser.TryValidate(options.Configuration, RedisConfigurationParser.SettingName, out var error))
        {
            failures.Add(error!);
        }

        if (options.KeyPrefix is null || options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            failures.Add($"Dexter:Sessions:Redis:KeyPrefix must not contain '{{' or '}}' (the session id is the key's hash tag); it is '{options.KeyPrefix}'.");
        }

        if (options.SessionTtl < TimeSpan.FromMilliseconds(1))
        {
            failures.Add(Invariant($"Dexter:Sessions:Redis:SessionTtl must be at least one millisecond; it is {options.SessionTtl}."));
        }

        if (options.ConnectTimeout is { } connect && (connect <= TimeSpan.Zero || connect.TotalMilliseconds > int.MaxValue))
        {
            failures.Add(Invariant($"Dexter:Sessions:Redis:ConnectTimeout must be positive; it is {connect}."));
        }

        if (options.OperationTimeout is { } operation && (operation <= TimeSpan.Zero || operation.TotalMilliseconds > int.MaxValue))
        {
            failures.Add(Invariant($"Dexter:Sessions:Redis:OperationTimeout must be positive; it is {operation}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
