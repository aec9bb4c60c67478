using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Dexter.Sessions.AspNetCore;

/// <summary>Maps <c>GET /sessions</c> and <c>PATCH /session</c> in the group of <c>MapDexterSessions()</c>.</summary>
internal static class ConversationEndpoints
{
    public static void Map(RouteGroupBuilder group, DexterSessionsEndpoints handlers, EndpointNames names)
    {
        var list = handlers.Handle(handlers.ListSessionsAsync);
        group.MapGet("/sessions", list)
            .WithMetadata(list.Method)
            .WithName(names.Of("ListSessions"))
            .WithSummary("Lists the caller's sessions, newest activity first.")
            .WithDescription(
                "One page (limit, default 50, at most 100) of the caller's sessions: items of {session_id, title, turn_count, created_at, " +
                "last_activity_at}, and next_cursor, the cursor of the next page (null on the last). Pass it back as ?cursor=. " +
                "Needs a caller with an identity (the host's user, or the standalone mode's API key or bearer token): 403 otherwise.")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(SessionListResponse), ["application/json"]))
            .WithMetadata(Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
                StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable));

        var rename = handlers.Handle(handlers.RenameSessionAsync);
        group.MapPatch("/session", rename)
            .WithMetadata(rename.Method)
            .WithName(names.Of("RenameSession"))
            .WithSummary("Renames a session.")
            .WithDescription(
                "Sets the title of the session of ?session_id= or the cookie from {\"title\": \"...\"} (1 to 200 characters once white " +
                "space is collapsed) and answers the session as GET /sessions lists it. A model never replaces a title the owner set.")
            .WithMetadata(new AcceptsMetadata(["application/json"], typeof(RenameRequest)))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(SessionItem), ["application/json"]))
            .WithMetadata(Problems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound,
                StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status429TooManyRequests,
                StatusCodes.Status503ServiceUnavailable));
    }

    private static object[] Problems(params int[] statusCodes) =>
        [.. statusCodes.Select(static code => new ProducesResponseTypeMetadata(code, typeof(ProblemDetails), ["application/problem+json"]))];
}
