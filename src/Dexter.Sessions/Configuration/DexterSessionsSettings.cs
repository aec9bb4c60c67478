using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace Dexter.Sessions;

/// <summary>
/// Gives the configuration binder the settings of an options class as every Dexter.Sessions package reads them: the section of
/// the application's <see cref="IConfiguration"/>, its values checked, so that a malformed one fails with a message naming the
/// setting.
/// </summary>
/// <remarks>
/// The packages bind their options with
/// <c>DexterSessionsSettings.GetSection&lt;TOptions&gt;(services, SectionName)?.Bind(options)</c>, the configuration binding
/// source generator doing the binding.
/// </remarks>
public static class DexterSessionsSettings
{
    /// <summary>
    /// Gets the settings of <typeparamref name="TOptions"/> from the section <paramref name="sectionPath"/> of the
    /// <see cref="IConfiguration"/> registered in <paramref name="services"/>, ready to bind.
    /// </summary>
    /// <typeparam name="TOptions">The options class; its public properties name the settings.</typeparam>
    /// <param name="services">The application's services.</param>
    /// <param name="sectionPath">The section, such as <c>Dexter:Sessions:Redis</c>.</param>
    /// <returns>
    /// The section's values that set a property of <typeparamref name="TOptions"/>, trimmed; blank values are left out (they leave
    /// the default). <see langword="null"/> when no <see cref="IConfiguration"/> is registered: then nothing is bound, and the
    /// process environment is not read either.
    /// </returns>
    /// <exception cref="InvalidOperationException">
    /// A value does not convert to its property's type. The message names the setting (with its environment
    /// variable, such as <c>DEXTER_MAX_CONTEXT_MESSAGES</c>, when there is one) and its value, unless the setting is a secret (its
    /// name has <c>KEY</c>, <c>SECRET</c> or <c>PASSWORD</c> in it).
    /// </exception>
    /// <remarks>
    /// Values are read leniently: booleans accept <c>true/false</c>, <c>1/0</c>, <c>yes/no</c> and
    /// <c>on/off</c> in any case; numbers and time spans use the invariant culture; an enum value is one of its names, in any case.
    /// </remarks>
    public static IConfiguration? GetSection<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(
        IServiceProvider services,
        string sectionPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionPath);
        if (services.GetService<IConfiguration>() is not { } configuration)
        {
            return null;
        }

        var properties = typeof(TOptions).GetProperties();
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var child in configuration.GetSection(sectionPath).GetChildren())
        {
            if (string.IsNullOrWhiteSpace(child.Value) ||
                properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase)) is not { } property)
            {
                continue;
            }

            values[property.Name] = Check(property.PropertyType, sectionPath + ConfigurationPath.KeyDelimiter + property.Name, child.Value.Trim());
        }

        return new Section(sectionPath, value: null, values);
    }

    /// <summary>The value in the form the binder reads, or an error naming the setting when it does not convert.</summary>
    private static string Check(Type type, string key, string value)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(bool))
        {
            return value.ToUpperInvariant() switch
            {
                "TRUE" or "1" or "YES" or "ON" => "true",
                "FALSE" or "0" or "NO" or "OFF" => "false",
                _ => throw Invalid(key, value, "true or false"),
            };
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) &&
                (type == typeof(long) || number is >= int.MinValue and <= int.MaxValue)
                ? value
                : throw Invalid(key, value, "a whole number");
        }

        if (type == typeof(TimeSpan))
        {
            return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out _)
                ? value
                : throw Invalid(key, value, "a time span such as 00:00:05 or 1.00:00:00");
        }

        if (type.IsEnum)
        {
            return Enum.GetNames(type).FirstOrDefault(name => string.Equals(name, value, StringComparison.OrdinalIgnoreCase))
                ?? throw Invalid(key, value, OneOf(Enum.GetNames(type)));
        }

        return value;
    }

    private static string OneOf(string[] names) =>
        names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];

    private static InvalidOperationException Invalid(string key, string value, string expected)
    {
        var name = DexterSessionsEnvironmentVariables.NameFor(key) is { } variable ? key + " (" + variable + ")" : key;
        var secret = name.Contains("KEY", StringComparison.OrdinalIgnoreCase) ||
            name.Contains("SECRET", StringComparison.OrdinalIgnoreCase) ||
            name.Contains("PASSWORD", StringComparison.OrdinalIgnoreCase);
        return new($"The setting {name} has the value '{(secret ? "***" : value)}', which is not {expected}. Correct or remove it.");
    }

    /// <summary>A section of checked values, one level deep: what the binder reads, and nothing it could change.</summary>
    private sealed class Section(string path, string? value, IReadOnlyDictionary<string, string> values) : IConfigurationSection
    {
        private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

        public string Key => ConfigurationPath.GetSectionKey(Path);

        public string Path { get; } = path;

        public string? Value
        {
            get => value;
            set => throw new NotSupportedException("The checked settings are read-only.");
        }

        public string? this[string key]
        {
            get => values.GetValueOrDefault(key);
            set => throw new NotSupportedException("The checked settings are read-only.");
        }

        public IConfigurationSection GetSection(string key) =>
            new Section(ConfigurationPath.Combine(Path, key), values.GetValueOrDefault(key), None);

        public IEnumerable<IConfigurationSection> GetChildren() =>
            values.Keys.Select(key => GetSection(key)).ToList();

        public IChangeToken GetReloadToken() => NeverChanges.Instance;
    }

    private sealed class NeverChanges : IChangeToken, IDisposable
    {
        public static readonly NeverChanges Instance = new();

        public bool HasChanged => false;

        public bool ActiveChangeCallbacks => false;

        public IDisposable RegisterChangeCallback(Action<object?> callback, object? state) => this;

        public void Dispose()
        {
        }
    }
}
