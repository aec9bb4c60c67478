using System.Diagnostics.CodeAnalysis;
using Dexter.Sessions;
using Dexter.Sessions.AspNetCore;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Dexter.Sessions HTTP endpoints.</summary>
public static class DexterSessionsEndpointRouteBuilderExtensions
{
    private const string JsonContentType = "application/json";
    private const string ProblemContentType = "application/problem+json";

    /// <summary>
    /// Maps the original system's four endpoints under <paramref name="prefix"/>: <c>POST {prefix}/session</c>,
    /// <c>POST {prefix}/query</c> (Server-Sent Events), <c>GET {prefix}/history</c> and <c>DELETE {prefix}/history</c>.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The route prefix, <c>/agent</c> in the original system.</param>
    /// <returns>The route group, to add <c>.RequireAuthorization()</c>, rate limiting or OpenAPI metadata as usual.</returns>
    /// <exception cref="InvalidOperationException">
    /// <c>AddDexterSessions().AddEndpoints()</c> was not called, no <see cref="IChatClient"/> is registered, or the endpoint options are not valid.
    /// </exception>
    /// <remarks>
    /// JSON bodies use snake_case names. The session comes from the body or <c>?session_id=</c>, then from the <c>session_id</c>
    /// cookie, else a new one is created. Errors are RFC 7807 problem details; every response carries <c>X-Request-Id</c>.
    /// </remarks>
    public static RouteGroupBuilder MapDexterSessions(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string prefix = "/agent")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);

        var services = endpoints.ServiceProvider;
        var registered = services.GetService<IServiceProviderIsService>();
        if (registered is null || !registered.IsService(typeof(ISessionStore)) || !registered.IsService(typeof(DexterAgent)))
        {
            throw new InvalidOperationException(
                "MapDexterSessions() needs the Dexter.Sessions services: call builder.Services.AddDexterSessions().AddEndpoints() before builder.Build().");
        }

        if (!registered.IsService(typeof(DexterSessionsEndpoints)))
        {
            throw new InvalidOperationException(
                "MapDexterSessions() needs the endpoint services: call .AddEndpoints() on AddDexterSessions(), as in builder.Services.AddDexterSessions().AddEndpoints().");
        }

        if (!registered.IsService(typeof(IChatClient)))
        {
            throw new InvalidOperationException(
                "MapDexterSessions() needs a model: register an IChatClient with builder.Services.AddChatClient(...) before builder.Build().");
        }

        // Resolving the handlers binds and validates the options now, so a bad setting fails at startup.
        var handlers = services.GetRequiredService<DexterSessionsEndpoints>();
        var group = endpoints.MapGroup(prefix).WithTags("Dexter.Sessions");

        // The handlers are RequestDelegates (no reflection-based binding, so trimming and AOT stay safe). Their MethodInfo is added
        // as route handlers get it, so that ApiExplorer, and with it Microsoft.AspNetCore.OpenApi, describes them.

        var createSession = handlers.Handle(handlers.CreateSessionAsync);
        group.MapPost("/session", createSession)
            .WithMetadata(createSession.Method)
            .WithName("DexterSessions_CreateSession")
            .WithSummary("Creates a session.")
            .WithDescription("Creates an empty session owned by the caller and sets the session_id cookie.")
            .WithMetadata(Produces<SessionCreatedResponse>(StatusCodes.Status201Created))
            .WithMetadata(Problems(StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable));

        var query = handlers.Handle(handlers.QueryAsync);
        group.MapPost("/query", query)
            .WithMetadata(query.Method)
            .WithName("DexterSessions_Query")
            .WithSummary("Answers a query with the context of a session, streaming Server-Sent Events.")
            .WithDescription(
                "Streams data: {\"type\":\"token\",\"content\":\"...\"} events as the model writes, then one " +
                "{\"type\":\"answer\",\"content\":\"<full answer>\",\"session_id\",\"request_id\",\"message_id\"} event, or one " +
                "{\"type\":\"error\",\"error\",\"content\",\"request_id\"} event when the model fails (nothing is recorded then). " +
                "The session comes from the body, then the session_id cookie, else a new session is created.")
            // "*/*" keeps routing from answering other content types with a bare 415: the handler answers them with a problem.
            .WithMetadata(new AcceptsMetadata([JsonContentType, "*/*"], typeof(QueryRequest)))
            .WithMetadata(Produces<StreamEvent>(StatusCodes.Status200OK, "text/event-stream"))
            .WithMetadata(Problems(
                StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge,
                StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable));

        var getHistory = handlers.Handle(handlers.GetHistoryAsync);
        group.MapGet("/history", getHistory)
            .WithMetadata(getHistory.Method)
            .WithName("DexterSessions_GetHistory")
            .WithSummary("Reads the turns of a session.")
            .WithDescription("Returns every turn with its query, answer, summary and time. The session comes from ?session_id= or the cookie.")
            .WithMetadata(Produces<HistoryResponse>(StatusCodes.Status200OK))
            .WithMetadata(Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable));

        var clearHistory = handlers.Handle(handlers.ClearHistoryAsync);
        group.MapDelete("/history", clearHistory)
            .WithMetadata(clearHistory.Method)
            .WithName("DexterSessions_ClearHistory")
            .WithSummary("Clears a session.")
            .WithDescription("Deletes the session and every turn of it, and expires the session_id cookie.")
            .WithMetadata(Produces<HistoryClearedResponse>(StatusCodes.Status200OK))
            .WithMetadata(Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable));

        return group;
    }

    /// <summary>
    /// Maps liveness (<paramref name="livenessPattern"/>: the process answers) and readiness (<paramref name="readinessPattern"/>:
    /// every registered health check, the session store's among them) through ASP.NET Core health checks.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="livenessPattern">The liveness route, <c>/health</c> in the original system.</param>
    /// <param name="readinessPattern">The readiness route, <c>/ready</c> in the original system.</param>
    /// <returns>The route group holding both, to add conventions such as <c>.RequireHost()</c>.</returns>
    public static RouteGroupBuilder MapDexterSessionsHealthChecks(
        this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string livenessPattern = "/health",
        [StringSyntax("Route")] string readinessPattern = "/ready")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(livenessPattern);
        ArgumentNullException.ThrowIfNull(readinessPattern);

        var group = endpoints.MapGroup(string.Empty);
        group.MapHealthChecks(livenessPattern, new HealthCheckOptions { Predicate = static _ => false })
            .WithName("DexterSessions_Health")
            .WithDisplayName("Liveness");
        group.MapHealthChecks(readinessPattern, new HealthCheckOptions { Predicate = static _ => true })
            .WithName("DexterSessions_Ready")
            .WithDisplayName("Readiness");
        return group;
    }

    private static ProducesResponseTypeMetadata Produces<T>(int statusCode, string contentType = JsonContentType) =>
        new(statusCode, typeof(T), [contentType]);

    private static object[] Problems(params int[] statusCodes) =>
        [.. statusCodes.Select(static code => new ProducesResponseTypeMetadata(code, typeof(ProblemDetails), [ProblemContentType]))];
}
