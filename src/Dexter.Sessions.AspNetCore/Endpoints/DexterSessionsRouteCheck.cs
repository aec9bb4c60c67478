using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// When the application starts, checks that no endpoint the package mapped shares a name, or a route and HTTP method, with
/// another endpoint: such a clash would otherwise answer 500 at request time (on every route, for a name). Fails the start
/// with a message naming both endpoints.
/// </summary>
internal sealed class DexterSessionsRouteCheck(DexterSessionsRouteRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoints = registry.Builders
            .SelectMany(static builder => builder.DataSources)
            .Distinct()
            .SelectMany(static source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .ToList();
        var ours = endpoints.Where(static e => e.Metadata.GetMetadata<DexterSessionsEndpointMarker>() is not null).ToList();
        foreach (var endpoint in ours)
        {
            foreach (var other in endpoints)
            {
                if (ReferenceEquals(other, endpoint))
                {
                    continue;
                }

                if (endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName is { } name &&
                    string.Equals(name, other.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"The endpoint name '{name}' is used by both '{endpoint.DisplayName}' and '{other.DisplayName}'. Endpoint names must be " +
                        "unique; rename the application's endpoint or map Dexter.Sessions under another prefix.");
                }

                if (SameRoute(endpoint, other) && MethodsOverlap(endpoint, other) &&
                    (other.Metadata.GetMetadata<DexterSessionsEndpointMarker>() is null || ours.IndexOf(other) > ours.IndexOf(endpoint)))
                {
                    throw new InvalidOperationException(
                        $"The route '{endpoint.RoutePattern.RawText}' is answered by both '{endpoint.DisplayName}' and '{other.DisplayName}'; " +
                        "requests to it would fail with an ambiguous match. Give Dexter.Sessions other routes, for example " +
                        "MapDexterSessionsHealthChecks(\"/agent/health\", \"/agent/ready\") or MapDexterSessions(\"/assistant\").");
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static bool SameRoute(RouteEndpoint a, RouteEndpoint b) =>
        string.Equals(Normalize(a.RoutePattern.RawText), Normalize(b.RoutePattern.RawText), StringComparison.OrdinalIgnoreCase) &&
        a.Order == b.Order;

    private static string Normalize(string? pattern) => "/" + (pattern ?? string.Empty).Trim('/');

    private static bool MethodsOverlap(Endpoint a, Endpoint b)
    {
        var first = a.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        var second = b.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        return first is null || first.Count == 0 || second is null || second.Count == 0 ||
            first.Intersect(second, StringComparer.OrdinalIgnoreCase).Any();
    }
}
