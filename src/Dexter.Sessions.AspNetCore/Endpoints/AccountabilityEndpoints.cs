using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Dexter.Sessions.AspNetCore;

/// <summary>Maps <c>GET /stats</c>, <c>GET /audit</c> and <c>GET /export</c> in the group of <c>MapDexterSessions()</c>.</summary>
internal static class AccountabilityEndpoints
{
    private static readonly object[] CommonProblems =
    [
        .. new[] { StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable }
            .Select(static code => new ProducesResponseTypeMetadata(code, typeof(ProblemDetails), ["application/problem+json"])),
    ];

    public static void Map(RouteGroupBuilder group, DexterSessionsEndpoints handlers, EndpointNames names)
    {
        var statistics = handlers.Handle(handlers.GetStatisticsAsync);
        group.MapGet("/stats", statistics)
            .WithMetadata(statistics.Method)
            .WithName(names.Of("GetStatistics"))
            .WithSummary("Reads the figures of a session.")
            .WithDescription(
                "Turns, input and output tokens, response time p50/p95/max in milliseconds, creation, first and last activity, " +
                "summarizer and selector fallbacks, and per_turn points (id, created_at, response_time_ms, tokens) for charts.")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(StatisticsResponse), ["application/json"]))
            .WithMetadata(CommonProblems);

        var audit = handlers.Handle(handlers.GetAuditAsync);
        group.MapGet("/audit", audit)
            .WithMetadata(audit.Method)
            .WithName(names.Of("GetAudit"))
            .WithSummary("Reads the audit trail of a session.")
            .WithDescription(
                "Every access to the session, oldest first: timestamp, action (created, queried, history_read, statistics_read, " +
                "audit_read, exported, cleared, imported, denied, renamed), outcome, principal, request_id, remote_address, turn_id. " +
                "'kept' is false when the store keeps no trail (events then go to the logs only).")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(AuditResponse), ["application/json"]))
            .WithMetadata(CommonProblems);

        var export = handlers.Handle(handlers.ExportAsync);
        group.MapGet("/export", export)
            .WithMetadata(export.Method)
            .WithName(names.Of("Export"))
            .WithSummary("Exports a whole session.")
            .WithDescription(
                "The session as one versioned JSON document (format dexter.sessions.export): metadata and every turn with every " +
                "field, chat messages included. SessionExport.Parse and ImportSessionAsync read it into any store.")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), ["application/json"]))
            .WithMetadata(CommonProblems);
    }
}
