using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Dexter.Sessions;

/// <summary>
/// Gives the values of the bare environment variables under their <c>Dexter:Sessions</c> keys. Written on
/// the configuration abstractions alone, so the core package needs no configuration implementation.
/// </summary>
internal sealed class DexterSessionsEnvironmentVariablesProvider(Func<string, string?> read) : IConfigurationProvider
{
    private Dictionary<string, string?> _data = new(StringComparer.OrdinalIgnoreCase);

    public void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, key) in DexterSessionsEnvironmentVariables.ConfigurationKeys)
        {
            if (read(name) is { } value)
            {
                data[key] = value;
            }
        }

        _data = data;
    }

    public bool TryGet(string key, out string? value) => _data.TryGetValue(key, out value);

    public void Set(string key, string? value) => _data[key] = value;

    public IChangeToken GetReloadToken() => NeverChangeToken.Instance;

    public IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
    {
        var prefix = parentPath is null ? string.Empty : parentPath + ConfigurationPath.KeyDelimiter;
        var children = new List<string>(earlierKeys);
        foreach (var key in _data.Keys)
        {
            if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var end = key.IndexOf(ConfigurationPath.KeyDelimiter, prefix.Length, StringComparison.Ordinal);
                children.Add(end < 0 ? key[prefix.Length..] : key[prefix.Length..end]);
            }
        }

        return children;
    }

    public override string ToString() => "Dexter.Sessions environment variables";

    private sealed class NeverChangeToken : IChangeToken
    {
        public static readonly NeverChangeToken Instance = new();

        public bool HasChanged => false;

        public bool ActiveChangeCallbacks => false;

        public IDisposable RegisterChangeCallback(Action<object?> callback, object? state) => EmptyDisposable.Instance;
    }

    private sealed class EmptyDisposable : IDisposable
    {
        public static readonly EmptyDisposable Instance = new();

        public void Dispose()
        {
        }
    }
}
