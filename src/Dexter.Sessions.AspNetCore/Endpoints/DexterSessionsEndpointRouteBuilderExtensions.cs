using System.Diagnostics.CodeAnalysis;
using Dexter.Sessions;
using Dexter.Sessions.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Dexter.Sessions HTTP endpoints.</summary>
public static class DexterSessionsEndpointRouteBuilderExtensions
{
    private const string JsonContentType = "application/json";
    private const string ProblemContentType = "application/problem+json";
    private static readonly string[] HealthMethods = ["GET", "HEAD"];

    /// <summary>
    /// Maps the four endpoints under <paramref name="prefix"/>: <c>POST {prefix}/session</c>,
    /// <c>POST {prefix}/query</c> (Server-Sent Events), <c>GET {prefix}/history</c> and <c>DELETE {prefix}/history</c>.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The route prefix; <c>/agent</c> by default.</param>
    /// <returns>The route group, to add <c>.RequireAuthorization()</c>, rate limiting or OpenAPI metadata as usual.</returns>
    /// <exception cref="InvalidOperationException">
    /// <c>AddDexterSessions().AddEndpoints()</c> was not called, no <see cref="IChatClient"/> is registered, the endpoint options
    /// are not valid, or <paramref name="prefix"/> is already mapped.
    /// </exception>
    /// <remarks>
    /// <para>
    /// The owner of a session is the host's user when the host authenticated the request (for example through
    /// <c>.RequireAuthorization()</c> on the returned group); another user's session answers 404, as an unknown one does.
    /// Without a host user, the standalone mode's API key or bearer token applies when configured.
    /// </para>
    /// <para>
    /// JSON bodies use snake_case names. The session comes from the body or <c>?session_id=</c>, then from the <c>session_id</c>
    /// cookie, else a new one is created. Errors are RFC 7807 problem details; every response carries <c>X-Request-Id</c>.
    /// Call it once per prefix; endpoint names are <c>DexterSessions_Query</c> and so on for <c>/agent</c>, and
    /// <c>DexterSessions_{prefix}_Query</c> for another prefix.
    /// </para>
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

        // Endpoint names must be unique in an application: each prefix gets its own, and a second mapping of the same prefix
        // fails here, naming it, rather than as a 500 on every route later. Clashes with the host's routes or names are
        // checked when the application starts (DexterSessionsRouteCheck).
        var names = new EndpointNames(prefix);
        services.GetRequiredService<DexterSessionsRouteRegistry>().Add(endpoints, prefix, names.All);
        var group = endpoints.MapGroup(prefix).WithTags("Dexter.Sessions").WithMetadata(DexterSessionsEndpointMarker.Instance);

        // The handlers are RequestDelegates (no reflection-based binding, so trimming and AOT stay safe). Their MethodInfo is added
        // as route handlers get it, so that ApiExplorer, and with it Microsoft.AspNetCore.OpenApi, describes them.

        var createSession = handlers.Handle(handlers.CreateSessionAsync);
        group.MapPost("/session", createSession)
            .WithMetadata(createSession.Method)
            .WithName(names.Of("CreateSession"))
            .WithSummary("Creates a session.")
            .WithDescription("Creates an empty session owned by the caller and sets the session_id cookie.")
            .WithMetadata(Produces<SessionCreatedResponse>(StatusCodes.Status201Created))
            .WithMetadata(Problems(StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable));

        var rewind = handlers.Handle(handlers.RewindAsync);
        group.MapPost("/session/rewind", rewind)
            .WithMetadata(rewind.Method)
            .WithName(names.Of("RewindSession"))
            .WithSummary("Removes the turns of a session after a given turn (undo; with a query after it, regenerate).")
            .WithDescription(
                "Body {\"through_turn_id\": N, \"expected_last_turn_id\": M, \"session_id\": \"...\"} (session_id, else the parameter or cookie). " +
                "With expected_last_turn_id the rewind happens only when the session still ends at that turn (409 otherwise, nothing removed).")
            .WithMetadata(Produces<RewindResponse>(StatusCodes.Status200OK))
            .WithMetadata(Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound,
                StatusCodes.Status409Conflict, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status503ServiceUnavailable));

        var fork = handlers.Handle(handlers.ForkAsync);
        group.MapPost("/session/fork", fork)
            .WithMetadata(fork.Method)
            .WithName(names.Of("ForkSession"))
            .WithSummary("Copies a session through a given turn into a new session of the caller (edit an earlier question: fork before it, then query).")
            .WithDescription("Body {\"through_turn_id\": N, \"session_id\": \"...\"}; answers 201 with the new session_id and sets the cookie to it.")
            .WithMetadata(Produces<ForkResponse>(StatusCodes.Status201Created))
            .WithMetadata(Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound,
                StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable));

        var query = handlers.Handle(handlers.QueryAsync);
        group.MapPost("/query", query)
            .WithMetadata(query.Method)
            .WithName(names.Of("Query"))
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
            .WithName(names.Of("GetHistory"))
            .WithSummary("Reads one page of the turns of a session.")
            .WithDescription(
                "Returns the latest turns (limit, default 50, at most 500) oldest first, or those before the turn id 'before'; " +
                "'turns' counts the whole session and 'next_before', when present, gives the next older page. " +
                "The session comes from ?session_id= or the cookie; the cookie is never set here.")
            .WithMetadata(Produces<HistoryResponse>(StatusCodes.Status200OK))
            .WithMetadata(Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable));

        var explainContext = handlers.Handle(handlers.ExplainContextAsync);
        group.MapGet("/context", explainContext)
            .WithMetadata(explainContext.Method)
            .WithName(names.Of("ExplainContext"))
            .WithSummary("Shows what the model would receive before a question, and why.")
            .WithDescription(
                "Returns the context messages the model would receive before ?query= in the session (instructions, rolling summary, " +
                "past turns), each past turn's id, tokens, rank and score parts (lexical, vector, recency), and the tokens used of the " +
                "budget. Records nothing. The session comes from ?session_id= or the cookie; the cookie is never set here.")
            .WithMetadata(Produces<ContextResponse>(StatusCodes.Status200OK))
            .WithMetadata(Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound,
                StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable));

        var clearHistory = handlers.Handle(handlers.ClearHistoryAsync);
        group.MapDelete("/history", clearHistory)
            .WithMetadata(clearHistory.Method)
            .WithName(names.Of("ClearHistory"))
            .WithSummary("Clears a session.")
            .WithDescription("Deletes the session and every turn of it, and expires the session_id cookie.")
            .WithMetadata(Produces<HistoryClearedResponse>(StatusCodes.Status200OK))
            .WithMetadata(Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable));

        AccountabilityEndpoints.Map(group, handlers, names);
        ConversationEndpoints.Map(group, handlers, names);
        return group;
    }

    /// <summary>
    /// Maps liveness (<paramref name="livenessPattern"/>: the process answers) and readiness (<paramref name="readinessPattern"/>:
    /// the session store answers a read, and every health check the application registered passes), answering
    /// <c>Healthy</c> (200) or <c>Unhealthy</c> (503) as ASP.NET Core health checks do.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="livenessPattern">The liveness route, such as <c>/health</c>.</param>
    /// <param name="readinessPattern">The readiness route, such as <c>/ready</c>.</param>
    /// <returns>The route group holding both, to add conventions such as <c>.RequireHost()</c>.</returns>
    /// <remarks>
    /// An application with health routes of its own passes others, for example
    /// <c>MapDexterSessionsHealthChecks("/agent/health", "/agent/ready")</c>, or adds the store's check
    /// (<c>dexter-sessions-store</c>, tag <c>ready</c>) to its own. A route that another endpoint already answers fails when the
    /// application starts, naming both, rather than as a 500 at request time.
    /// </remarks>
    public static RouteGroupBuilder MapDexterSessionsHealthChecks(
        this IEndpointRouteBuilder endpoints,
        [StringSyntax("Route")] string livenessPattern = "/health",
        [StringSyntax("Route")] string readinessPattern = "/ready")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(livenessPattern);
        ArgumentNullException.ThrowIfNull(readinessPattern);
        if (string.Equals(livenessPattern.TrimEnd('/'), readinessPattern.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"MapDexterSessionsHealthChecks() needs two routes; liveness and readiness are both '{livenessPattern}'.", nameof(readinessPattern));
        }

        endpoints.ServiceProvider.GetService<DexterSessionsRouteRegistry>()?.Add(endpoints, prefix: null, names: []);
        var group = endpoints.MapGroup(string.Empty).WithMetadata(DexterSessionsEndpointMarker.Instance);
        group.MapMethods(livenessPattern, HealthMethods, static context => ReadinessReport.WriteAsync(context, HealthStatus.Healthy))
            .WithDisplayName("Dexter.Sessions liveness");
        group.MapMethods(readinessPattern, HealthMethods, static context => ReadinessReport.CheckAndWriteAsync(context))
            .WithDisplayName("Dexter.Sessions readiness");
        return group;
    }

    /// <summary>
    /// Lets through only callers the Dexter.Sessions endpoints would accept, and answers others 401 as they do: for a route
    /// such as <c>app.MapOpenApi()</c> that should follow the endpoints' authentication.
    /// </summary>
    /// <typeparam name="TBuilder">The type of the endpoint's builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// A user the host authenticated passes; otherwise the standalone mode's API key or bearer token is required when one is
    /// configured, and nothing when none is. A host that authenticates its users with <c>.RequireAuthorization()</c> on the
    /// endpoints puts the same on the route instead.
    /// </remarks>
    public static TBuilder RequireDexterSessionsCaller<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Finally(static endpoint =>
        {
            var next = endpoint.RequestDelegate ?? throw new InvalidOperationException(
                $"RequireDexterSessionsCaller() cannot wrap the endpoint '{endpoint.DisplayName}': it has no request delegate.");
            endpoint.RequestDelegate = context =>
                context.RequestServices.GetRequiredService<DexterSessionsEndpoints>().RequireCallerAsync(context, next);
        });
        return builder;
    }

    private static ProducesResponseTypeMetadata Produces<T>(int statusCode, string contentType = JsonContentType) =>
        new(statusCode, typeof(T), [contentType]);

    private static object[] Problems(params int[] statusCodes) =>
        [.. statusCodes.Select(static code => new ProducesResponseTypeMetadata(code, typeof(ProblemDetails), [ProblemContentType]))];
}
