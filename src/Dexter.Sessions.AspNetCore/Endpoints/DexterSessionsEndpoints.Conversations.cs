using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Dexter.Sessions.AspNetCore;

internal sealed partial class DexterSessionsEndpoints
{
    /// <summary>The default page size of <c>GET /sessions</c>.</summary>
    public const int DefaultListLimit = 50;

    /// <summary>The largest page size of <c>GET /sessions</c>.</summary>
    public const int MaxListLimit = 100;

    /// <summary>
    /// <c>GET /sessions</c>: one page of the caller's sessions, newest activity first. A caller without an identity (anonymous mode)
    /// owns no sessions of its own to list: 403, so that no one lists the sessions of every anonymous caller.
    /// </summary>
    public async Task<IResult> ListSessionsAsync(HttpContext context, Caller caller)
    {
        if (caller.Owner is null)
        {
            return _problems.Forbidden(context, caller.RequestId,
                "Listing sessions needs a caller with an identity: sign in through the host, or configure the API key or bearer token " +
                "of Dexter:Sessions:Endpoints, so that sessions have an owner.");
        }

        var limit = DefaultListLimit;
        if (context.Request.Query.TryGetValue("limit", out var limitText) &&
            (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxListLimit))
        {
            return _problems.BadRequest(context, caller.RequestId, $"The limit must be a whole number from 1 to {MaxListLimit}.");
        }

        string? cursor = context.Request.Query["cursor"];
        if (await LimitClientAsync(context, caller).ConfigureAwait(false) is { } limited)
        {
            return limited;
        }

        SessionListPage page;
        try
        {
            page = await _store.ListSessionsAsync(caller.Owner, limit, string.IsNullOrEmpty(cursor) ? null : cursor, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentException) when (!string.IsNullOrEmpty(cursor))
        {
            return _problems.BadRequest(context, caller.RequestId, "The cursor is not one GET /sessions returned: pass next_cursor unchanged, or no cursor for the first page.");
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            // The store cannot list per owner as configured (a store of one's own without listing, or encryption at rest without
            // an owner lookup key): the operator's setting is named, and a client falls back to what it keeps itself.
            Log.ListingUnavailable(_logger, caller.RequestId, ex);
            return _problems.NotImplemented(context, caller.RequestId, "Listing sessions is not available on this server: " + ex.Message);
        }

        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(
            new SessionListResponse([.. page.Sessions.Select(SessionItem.From)], page.NextCursor),
            ConversationsJsonContext.Relaxed.SessionListResponse);
    }

    /// <summary><c>PATCH /session</c>: the owner renames the session of <c>?session_id=</c> or the cookie; 200 with the session as listed.</summary>
    public async Task<IResult> RenameSessionAsync(HttpContext context, Caller caller)
    {
        var (sessionId, error) = await _sessions.ResolveExistingAsync(context, caller).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var (title, bodyError) = await ReadTitleAsync(context, caller).ConfigureAwait(false);
        if (bodyError is not null)
        {
            return bodyError;
        }

        string normalized;
        try
        {
            normalized = SessionTitles.Normalize(title!);
        }
        catch (ArgumentException ex)
        {
            return _problems.BadRequest(context, caller.RequestId, ex.Message[..(ex.Message.IndexOf(" (Parameter", StringComparison.Ordinal) is var end and >= 0 ? end : ex.Message.Length)]);
        }

        if (await LimitClientAsync(context, caller).ConfigureAwait(false) is { } limited)
        {
            return limited;
        }

        var renamed = await _store.SetTitleAsync(sessionId!, normalized, SessionTitleSource.Owner, context.RequestAborted).ConfigureAwait(false);
        var metadata = renamed ? await _store.GetMetadataAsync(sessionId!, context.RequestAborted).ConfigureAwait(false) : null;
        if (metadata is null)
        {
            return _problems.SessionNotFound(context, caller.RequestId);
        }

        await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.Renamed, sessionId).ConfigureAwait(false);
        return TypedResults.Json(SessionItem.From(metadata), ConversationsJsonContext.Relaxed.SessionItem);
    }

    private async Task<(string? Title, IResult? Error)> ReadTitleAsync(HttpContext context, Caller caller)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            return (null, _problems.UnsupportedMediaType(context, caller.RequestId));
        }

        var limit = _options.MaxRequestBodySize;
        if (request.ContentLength > limit)
        {
            return (null, _problems.TooLarge(context, caller.RequestId));
        }

        using var body = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            body.Write(buffer, 0, read);
            if (body.Length > limit)
            {
                return (null, _problems.TooLarge(context, caller.RequestId));
            }
        }

        try
        {
            var parsed = JsonSerializer.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length), ConversationsJsonContext.Default.RenameRequest);
            return parsed?.Title is { } title
                ? (title, null)
                : (null, _problems.BadRequest(context, caller.RequestId, "Send the new title as {\"title\": \"...\"}."));
        }
        catch (JsonException)
        {
            return (null, _problems.BadRequest(context, caller.RequestId, "The request body is not valid JSON: send {\"title\": \"...\"} with a string value."));
        }
    }
}
