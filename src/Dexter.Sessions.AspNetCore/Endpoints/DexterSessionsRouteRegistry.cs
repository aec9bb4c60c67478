using Microsoft.AspNetCore.Routing;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// What the package mapped in one application: the route builders (for the startup check) and the endpoint names, so that
/// mapping the same prefix twice fails at once with a message naming it.
/// </summary>
internal sealed class DexterSessionsRouteRegistry
{
    private readonly object _gate = new();
    private readonly Dictionary<string, string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<IEndpointRouteBuilder> _builders = [];

    public IReadOnlyList<IEndpointRouteBuilder> Builders
    {
        get
        {
            lock (_gate)
            {
                return [.. _builders];
            }
        }
    }

    public void Add(IEndpointRouteBuilder builder, string? prefix, IReadOnlyList<string> names)
    {
        lock (_gate)
        {
            foreach (var name in names)
            {
                if (_names.TryGetValue(name, out var earlier))
                {
                    throw new InvalidOperationException(
                        $"MapDexterSessions(\"{prefix}\") would name an endpoint '{name}', which MapDexterSessions(\"{earlier}\") already named. " +
                        "Map each prefix once; to serve the endpoints at several paths, give each mapping its own prefix.");
                }
            }

            foreach (var name in names)
            {
                _names[name] = prefix ?? string.Empty;
            }

            if (!_builders.Contains(builder))
            {
                _builders.Add(builder);
            }
        }
    }
}
