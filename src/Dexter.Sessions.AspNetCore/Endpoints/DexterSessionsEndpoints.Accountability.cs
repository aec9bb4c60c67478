using Microsoft.AspNetCore.Http;

namespace Dexter.Sessions.AspNetCore;

internal sealed partial class DexterSessionsEndpoints
{
    /// <summary><c>GET /stats</c>: the figures of the caller's session (<see cref="SessionStatistics"/>).</summary>
    public async Task<IResult> GetStatisticsAsync(HttpContext context, Caller caller)
    {
        var (sessionId, error) = await _sessions.ResolveExistingAsync(context, caller).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var statistics = await _store.GetStatisticsAsync(sessionId!, context.RequestAborted).ConfigureAwait(false);
        if (statistics is null)
        {
            return _problems.SessionNotFound(context, caller.RequestId);
        }

        await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.StatisticsRead, sessionId).ConfigureAwait(false);
        return TypedResults.Json(StatisticsResponse.From(statistics), AccountabilityJsonContext.Default.StatisticsResponse);
    }

    /// <summary><c>GET /audit</c>: the audit trail of the caller's session, oldest first (this read included).</summary>
    public async Task<IResult> GetAuditAsync(HttpContext context, Caller caller)
    {
        var (sessionId, error) = await _sessions.ResolveExistingAsync(context, caller).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.AuditRead, sessionId).ConfigureAwait(false);
        var events = EndpointAudit.Log(context) is { } log ? await log.GetEventsAsync(sessionId!, context.RequestAborted).ConfigureAwait(false) : null;
        return TypedResults.Json(
            new AuditResponse(sessionId!, events is not null, [.. (events ?? []).Select(AuditEntry.From)]),
            AccountabilityJsonContext.Default.AuditResponse);
    }

    /// <summary><c>GET /export</c>: the whole session as one versioned JSON document (<see cref="SessionExport"/>).</summary>
    public async Task<IResult> ExportAsync(HttpContext context, Caller caller)
    {
        var (sessionId, error) = await _sessions.ResolveExistingAsync(context, caller).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var timeProvider = context.RequestServices.GetService(typeof(TimeProvider)) as TimeProvider;
        var export = await _store.ExportSessionAsync(sessionId!, timeProvider, context.RequestAborted).ConfigureAwait(false);
        if (export is null)
        {
            return _problems.SessionNotFound(context, caller.RequestId);
        }

        await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.Exported, sessionId).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Bytes(export.ToUtf8Json(), "application/json");
    }
}
