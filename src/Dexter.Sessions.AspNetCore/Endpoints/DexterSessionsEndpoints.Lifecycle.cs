using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.AspNetCore;

/// <content>The lifecycle endpoints: rewind (undo, and with a query, regenerate) and fork (and with a query, edit an earlier question).</content>
internal sealed partial class DexterSessionsEndpoints
{
    /// <summary>The header a client sends so that a retried query is answered once: <c>Idempotency-Key</c>.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public async Task<IResult> RewindAsync(HttpContext context, Caller caller)
    {
        var (request, bodyError) = await ReadBodyAsync(context, caller, LifecycleJsonContext.Default.RewindRequest,
            "{\"through_turn_id\": N, \"expected_last_turn_id\": M}").ConfigureAwait(false);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (request!.ThroughTurnId is not >= 0 || request.ExpectedLastTurnId is < 0)
        {
            return _problems.BadRequest(context, caller.RequestId,
                "through_turn_id must be 0 or more (the last turn to keep; 0 removes every turn), and expected_last_turn_id, when given, 0 or more.");
        }

        var (sessionId, error) = await ResolveAsync(context, caller, request.SessionId).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var agent = context.RequestServices.GetRequiredService<DexterAgent>();
        var result = await agent.RewindAsync(sessionId!, request.ThroughTurnId.Value, request.ExpectedLastTurnId, context.RequestAborted).ConfigureAwait(false);
        switch (result.Status)
        {
            case RewindStatus.NotFound:
                return _problems.SessionNotFound(context, caller.RequestId);
            case RewindStatus.Conflict:
                return _problems.Conflict(context, caller.RequestId, string.Create(CultureInfo.InvariantCulture,
                    $"The session's last turn is {result.LastTurnId}, not {request.ExpectedLastTurnId}: a turn was added or removed since you read it, and nothing was removed. Read the history again and retry."));
        }

        await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.Rewound, sessionId, turnId: result.LastTurnId).ConfigureAwait(false);
        var metadata = await _store.GetMetadataAsync(sessionId!, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(
            new RewindResponse(sessionId!, "rewound", result.LastTurnId, metadata?.TurnCount ?? 0, result.RemovedTurns),
            LifecycleJsonContext.Default.RewindResponse);
    }

    public async Task<IResult> ForkAsync(HttpContext context, Caller caller)
    {
        var (request, bodyError) = await ReadBodyAsync(context, caller, LifecycleJsonContext.Default.ForkRequest, "{\"through_turn_id\": N}").ConfigureAwait(false);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (request!.ThroughTurnId is not >= 0)
        {
            return _problems.BadRequest(context, caller.RequestId, "through_turn_id must be 0 or more: the last turn to copy into the new session.");
        }

        var (sessionId, error) = await ResolveAsync(context, caller, request.SessionId).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (await LimitClientAsync(context, caller).ConfigureAwait(false) is { } limited)
        {
            return limited;
        }

        var forkedId = SessionId.New();
        SessionMetadata? forked;
        try
        {
            forked = await _store.ForkAsync(sessionId!, request.ThroughTurnId.Value, forkedId, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentOutOfRangeException ex) when (ex.ParamName == "throughTurnId")
        {
            return _problems.BadRequest(context, caller.RequestId, ex.Message.Split(" (Parameter", 2)[0]);
        }

        if (forked is null)
        {
            return _problems.SessionNotFound(context, caller.RequestId);
        }

        await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.Forked, sessionId, turnId: request.ThroughTurnId).ConfigureAwait(false);
        await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.Created, forkedId).ConfigureAwait(false);
        _cookies.Set(context, forkedId);
        return TypedResults.Json(
            new ForkResponse(forkedId, "forked", sessionId!, request.ThroughTurnId.Value, forked.TurnCount, forked.CreatedAt),
            LifecycleJsonContext.Default.ForkResponse,
            statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Reads the <c>Idempotency-Key</c> header: no key, a valid key, or a 400 problem.</summary>
    private (string? Key, IResult? Error) ReadIdempotencyKey(HttpContext context, Caller caller)
    {
        string? key = context.Request.Headers[IdempotencyKeyHeader];
        if (key is null)
        {
            return (null, null);
        }

        return TurnKey.IsValid(key)
            ? (key, null)
            : (null, _problems.BadRequest(context, caller.RequestId, string.Create(CultureInfo.InvariantCulture,
                $"The {IdempotencyKeyHeader} header must be 1 to {TurnKey.MaxLength} printable ASCII characters without spaces, a UUID say.")));
    }

    /// <summary>
    /// Finds the turn a retried query recorded (one store read): the turn, nothing when the key is new, or a 422 problem when
    /// the key was used for a different query.
    /// </summary>
    private async Task<(Message? Turn, IResult? Error)> FindReplayAsync(HttpContext context, Caller caller, string sessionId, string key, string query)
    {
        var recorded = await _store.GetTurnByKeyAsync(sessionId, key, context.RequestAborted).ConfigureAwait(false);
        if (recorded is null || string.Equals(recorded.Query, query, StringComparison.Ordinal))
        {
            return (recorded, null);
        }

        return (null, _problems.UnprocessableEntity(context, caller.RequestId, new TurnKeyConflictException(sessionId, key, recorded.Id).Message));
    }

    private async Task<(string? SessionId, IResult? Error)> ResolveAsync(HttpContext context, Caller caller, string? bodySessionId)
    {
        if (string.IsNullOrEmpty(bodySessionId))
        {
            return await _sessions.ResolveExistingAsync(context, caller).ConfigureAwait(false);
        }

        var error = await _sessions.CheckOwnedAsync(context, caller, bodySessionId).ConfigureAwait(false);
        return error is null ? (bodySessionId, null) : (null, error);
    }

    private async Task<(T? Body, IResult? Error)> ReadBodyAsync<T>(HttpContext context, Caller caller, JsonTypeInfo<T> typeInfo, string shape)
        where T : class
    {
        var request = context.Request;
        if (request.ContentLength > _options.MaxRequestBodySize)
        {
            return (null, _problems.TooLarge(context, caller.RequestId));
        }

        if (!request.HasJsonContentType())
        {
            return (null, _problems.UnsupportedMediaType(context, caller.RequestId));
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, context.RequestAborted).ConfigureAwait(false);
            return body is null
                ? (null, _problems.BadRequest(context, caller.RequestId, "The request body must be a JSON object: " + shape + "."))
                : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, _problems.BadRequest(context, caller.RequestId, string.Create(CultureInfo.InvariantCulture,
                $"The request body is not valid at {ex.Path ?? "$"}: send {shape} with whole numbers.")));
        }
    }
}
