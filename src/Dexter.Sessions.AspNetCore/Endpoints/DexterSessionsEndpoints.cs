using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// The four endpoints of <c>MapDexterSessions()</c>: <c>POST /session</c>, <c>POST /query</c> (Server-Sent Events),
/// <c>GET /history</c> and <c>DELETE /history</c>, with their request id, credential check, session ownership, rate limit,
/// cookie and problem-details answers.
/// </summary>
internal sealed partial class DexterSessionsEndpoints
{
    public const string CookieName = "session_id";
    public const string SessionIdParameter = "session_id";
    public const string RequestIdHeader = "X-Request-Id";
    private const int MaxRequestIdLength = 128;
    private const string StoreUnavailableDetail = "The session store is unavailable; try again shortly, quoting the request id if it persists.";

    private readonly ISessionStore _store;
    private readonly DexterSessionsEndpointOptions _options;
    private readonly DexterSessionsOptions _sessionOptions;
    private readonly DexterSessionsAuthentication _authentication;
    private readonly SessionRateLimiter _rateLimiter;
    private readonly ILogger _logger;

    public DexterSessionsEndpoints(
        ISessionStore store,
        IOptions<DexterSessionsEndpointOptions> options,
        IOptions<DexterSessionsOptions> sessionOptions,
        DexterSessionsAuthentication authentication,
        SessionRateLimiter rateLimiter,
        ILoggerFactory? loggerFactory = null)
    {
        _store = store;
        _options = options.Value;
        _sessionOptions = sessionOptions.Value;
        _authentication = authentication;
        _rateLimiter = rateLimiter;
        _logger = (ILogger?)loggerFactory?.CreateLogger("Dexter.Sessions.AspNetCore") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>Wraps a handler: request id, credential check, and a 503 problem when the store cannot be reached.</summary>
    public RequestDelegate Handle(Func<HttpContext, Caller, Task<IResult>> handler) => async context =>
    {
        var requestId = ResolveRequestId(context);
        IResult result;
        try
        {
            var caller = await _authentication.AuthenticateAsync(context).ConfigureAwait(false);
            if (!caller.Succeeded)
            {
                LogCallerRejected(_logger, requestId, context.Request.Path, caller.Failure);
                context.Response.Headers.WWWAuthenticate = Challenges();
                result = Problem(context, requestId, StatusCodes.Status401Unauthorized, "Unauthorized", caller.Failure);
            }
            else
            {
                result = await handler(context, new Caller(requestId, caller.OwnerId)).ConfigureAwait(false);
            }
        }
        catch (SessionStoreUnavailableException ex)
        {
            LogStoreUnavailable(_logger, ex, requestId);
            // The cause (which names the store's host and port) goes to the log only, never to the client.
            result = Problem(context, requestId, StatusCodes.Status503ServiceUnavailable, "Session store unavailable", StoreUnavailableDetail);
        }

        await result.ExecuteAsync(context).ConfigureAwait(false);
    };

    /// <summary><c>POST /session</c>: creates a session owned by the caller; 201 <c>{"session_id","status":"created"}</c> and the cookie.</summary>
    public async Task<IResult> CreateSessionAsync(HttpContext context, Caller caller)
    {
        var sessionId = SessionId.New();
        await _store.CreateAsync(sessionId, caller.Owner, context.RequestAborted).ConfigureAwait(false);
        SetSessionCookie(context, sessionId);
        LogSessionCreated(_logger, sessionId, caller.RequestId);
        return TypedResults.Json(new SessionCreatedResponse(sessionId, "created"), DexterSessionsJsonContext.Relaxed.SessionCreatedResponse,
            statusCode: StatusCodes.Status201Created);
    }

    /// <summary><c>POST /query</c>: answers as Server-Sent Events, <c>token</c> events then one <c>answer</c> or <c>error</c> event.</summary>
    public async Task<IResult> QueryAsync(HttpContext context, Caller caller)
    {
        var (request, bodyError) = await ReadQueryRequestAsync(context, caller.RequestId).ConfigureAwait(false);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var query = request!.Query;
        if (string.IsNullOrWhiteSpace(query))
        {
            return BadRequest(context, caller.RequestId, "The query is empty: send {\"query\": \"...\"}.");
        }

        if (query.Length > _sessionOptions.MaxQueryLength)
        {
            return BadRequest(context, caller.RequestId, string.Create(CultureInfo.InvariantCulture,
                $"The query has {query.Length} characters; at most {_sessionOptions.MaxQueryLength} are accepted (Dexter:Sessions:MaxQueryLength)."));
        }

        var explicitId = string.IsNullOrEmpty(request.SessionId) ? (string?)context.Request.Query[SessionIdParameter] : request.SessionId;
        string sessionId;
        if (!string.IsNullOrEmpty(explicitId))
        {
            if (await FindOwnedSessionAsync(context, caller, explicitId).ConfigureAwait(false) is { } notUsable)
            {
                return notUsable;
            }

            sessionId = explicitId;
        }
        else if (context.Request.Cookies[CookieName] is { } cookieId && SessionId.IsValid(cookieId) &&
                 await IsOwnedAsync(cookieId, caller, context.RequestAborted).ConfigureAwait(false))
        {
            sessionId = cookieId;
        }
        else
        {
            // No id, or a cookie for a session that expired or is not the caller's: a new session, as the original did.
            sessionId = SessionId.New();
            await _store.CreateAsync(sessionId, caller.Owner, context.RequestAborted).ConfigureAwait(false);
            LogSessionCreated(_logger, sessionId, caller.RequestId);
        }

        if (!_rateLimiter.TryAcquire(sessionId, out var retryAfter))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            LogRateLimited(_logger, sessionId, caller.RequestId, seconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Problem(context, caller.RequestId, StatusCodes.Status429TooManyRequests, "Too many requests", string.Create(CultureInfo.InvariantCulture,
                $"The session made more than {_options.RateLimitPermitsPerMinute} queries in a minute; retry after {seconds} s."));
        }

        SetSessionCookie(context, sessionId);
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var agent = context.RequestServices.GetRequiredService<DexterAgent>();
        var updates = agent.RunStreamingAsync(query, sessionId, context.RequestAborted);
        var events = StreamEventsAsync(updates, sessionId, caller.RequestId, context.RequestAborted);
#if NET10_0_OR_GREATER
        return TypedResults.ServerSentEvents(events);
#else
        return new ServerSentEventsStreamResult(events);
#endif
    }

    /// <summary><c>GET /history</c>: every turn of the caller's session.</summary>
    public async Task<IResult> GetHistoryAsync(HttpContext context, Caller caller)
    {
        var (sessionId, error) = await ResolveExistingSessionAsync(context, caller).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var history = await _store.GetAsync(sessionId!, context.RequestAborted).ConfigureAwait(false);
        if (history is null)
        {
            return SessionNotFound(context, caller.RequestId);
        }

        SetSessionCookie(context, sessionId!);
        var messages = history.GetAll().Select(m => new HistoryMessage(m.Id, m.Query, m.Answer, m.Summary, m.CreatedAt)).ToList();
        return TypedResults.Json(new HistoryResponse(sessionId!, messages.Count, messages), DexterSessionsJsonContext.Relaxed.HistoryResponse);
    }

    /// <summary><c>DELETE /history</c>: deletes the caller's session and every turn of it, and expires the cookie.</summary>
    public async Task<IResult> ClearHistoryAsync(HttpContext context, Caller caller)
    {
        var (sessionId, error) = await ResolveExistingSessionAsync(context, caller).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        await _store.DeleteAsync(sessionId!, context.RequestAborted).ConfigureAwait(false);
        context.Response.Cookies.Delete(CookieName, CookieOptions(context));
        LogHistoryCleared(_logger, sessionId!, caller.RequestId);
        return TypedResults.Json(new HistoryClearedResponse(sessionId!, "cleared"), DexterSessionsJsonContext.Relaxed.HistoryClearedResponse);
    }

    private async IAsyncEnumerable<string> StreamEventsAsync(
        IAsyncEnumerable<DexterAgentUpdate> updates, string sessionId, string requestId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = updates.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                StreamEvent item;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    var update = enumerator.Current;
                    if (update.Kind == DexterAgentUpdateKind.Completed && update.Turn is { } turn)
                    {
                        LogQueryAnswered(_logger, requestId, turn.Id, sessionId);
                        item = new StreamEvent { Type = "answer", Content = turn.Answer, SessionId = sessionId, RequestId = requestId, MessageId = turn.Id };
                    }
                    else
                    {
                        item = new StreamEvent { Type = "token", Content = update.Text };
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    LogQueryCancelled(_logger, requestId, sessionId);
                    yield break;
                }
                catch (Exception ex)
                {
                    LogQueryFailed(_logger, ex, requestId, sessionId);
                    var message = ex is SessionStoreUnavailableException
                        ? StoreUnavailableDetail + " Nothing was recorded."
                        : "The model failed to answer; nothing was recorded. Try again.";
                    item = new StreamEvent { Type = "error", Content = message, Error = message, SessionId = sessionId, RequestId = requestId };
                }

                yield return JsonSerializer.Serialize(item, DexterSessionsJsonContext.Relaxed.StreamEvent);
                if (item.Type != "token")
                {
                    yield break;
                }
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<(QueryRequest? Request, IResult? Error)> ReadQueryRequestAsync(HttpContext context, string requestId)
    {
        var request = context.Request;
        var limit = _options.MaxRequestBodySize;
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(context, requestId));
        }

        // curl -d sends JSON labelled as a form; the original system's checklist does exactly that, so a form body holding JSON is read as JSON.
        var isForm = request.HasFormContentType && request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        if (request.ContentType is not null && !request.HasJsonContentType() && !isForm)
        {
            return (null, UnsupportedMediaType(context, requestId));
        }

        // Read into a pooled buffer sized from Content-Length when there is one, growing up to the limit (+1 to detect more).
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 1024, 256, limit + 1));
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    return (null, TooLarge(context, requestId));
                }
            }

            return ParseQueryRequest(context, requestId, buffer.AsSpan(0, length), isForm);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private (QueryRequest? Request, IResult? Error) ParseQueryRequest(HttpContext context, string requestId, ReadOnlySpan<byte> body, bool isForm)
    {
        if (isForm && !StartsWithObject(body))
        {
            return (null, UnsupportedMediaType(context, requestId));
        }

        if (body.IsEmpty)
        {
            return (null, BadRequest(context, requestId, "The request body is empty: send {\"query\": \"...\"} as application/json."));
        }

        try
        {
            var parsed = JsonSerializer.Deserialize(body, DexterSessionsJsonContext.Default.QueryRequest);
            return parsed is null
                ? (null, BadRequest(context, requestId, "The request body must be a JSON object: {\"query\": \"...\", \"session_id\": \"...\"}."))
                : (parsed, null);
        }
        catch (JsonException ex)
        {
            // JsonException's message names .NET types ("could not be converted to System.String"); say where, not what inside.
            return (null, BadRequest(context, requestId, string.Create(CultureInfo.InvariantCulture,
                $"The request body is not a valid query at {ex.Path ?? "$"} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): send {{\"query\": \"...\", \"session_id\": \"...\"}} with string values.")));
        }
    }

    private static bool StartsWithObject(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart(" \t\r\n"u8);
        return !trimmed.IsEmpty && trimmed[0] == (byte)'{';
    }

    /// <summary>The session named by <c>?session_id=</c>, or else by the cookie; a problem when there is none, it is malformed, unknown or not the caller's.</summary>
    private async Task<(string? SessionId, IResult? Error)> ResolveExistingSessionAsync(HttpContext context, Caller caller)
    {
        string? sessionId = context.Request.Query[SessionIdParameter];
        if (string.IsNullOrEmpty(sessionId))
        {
            sessionId = context.Request.Cookies[CookieName];
        }

        if (string.IsNullOrEmpty(sessionId))
        {
            return (null, BadRequest(context, caller.RequestId, "No session given: pass ?session_id=... or send the session_id cookie."));
        }

        var error = await FindOwnedSessionAsync(context, caller, sessionId).ConfigureAwait(false);
        return error is null ? (sessionId, null) : (null, error);
    }

    private async Task<IResult?> FindOwnedSessionAsync(HttpContext context, Caller caller, string sessionId)
    {
        if (!SessionId.IsValid(sessionId))
        {
            return BadRequest(context, caller.RequestId,
                $"The session id is not valid: it must have 1 to {SessionId.MaxLength} characters, each an ASCII letter, digit, '-' or '_'.");
        }

        return await IsOwnedAsync(sessionId, caller, context.RequestAborted).ConfigureAwait(false)
            ? null
            : SessionNotFound(context, caller.RequestId);
    }

    /// <summary>Whether the session exists and belongs to the caller; another principal's session looks exactly like an unknown one.</summary>
    private async Task<bool> IsOwnedAsync(string sessionId, Caller caller, CancellationToken cancellationToken)
    {
        var metadata = await _store.GetMetadataAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return metadata is not null && string.Equals(metadata.Owner, caller.Owner, StringComparison.Ordinal);
    }

    private void SetSessionCookie(HttpContext context, string sessionId) =>
        context.Response.Cookies.Append(CookieName, sessionId, CookieOptions(context));

    private CookieOptions CookieOptions(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = _options.SecureCookies,
        MaxAge = _sessionOptions.SessionTtl,
        Path = context.Request.PathBase.HasValue ? context.Request.PathBase.Value : "/",
        IsEssential = true,
    };

    private string[] Challenges()
    {
        var challenges = new List<string>(2);
        if (!string.IsNullOrEmpty(_options.JwtSecret))
        {
            challenges.Add("Bearer");
        }

        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            challenges.Add("ApiKey header=\"" + ApiKeyAuthenticationHandler.HeaderName + "\"");
        }

        return [.. challenges];
    }

    private static string ResolveRequestId(HttpContext context)
    {
        string? given = context.Request.Headers[RequestIdHeader];
        var requestId = IsAcceptableRequestId(given) ? given! : Guid.NewGuid().ToString("N");
        context.TraceIdentifier = requestId;
        context.Response.Headers[RequestIdHeader] = requestId;
        return requestId;
    }

    private static bool IsAcceptableRequestId(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxRequestIdLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    private IResult BadRequest(HttpContext context, string requestId, string detail) =>
        Problem(context, requestId, StatusCodes.Status400BadRequest, "Bad request", detail);

    private IResult SessionNotFound(HttpContext context, string requestId) =>
        Problem(context, requestId, StatusCodes.Status404NotFound, "Session not found",
            "No session with this id exists for the caller; create one with POST /session.");

    private IResult TooLarge(HttpContext context, string requestId) =>
        Problem(context, requestId, StatusCodes.Status413PayloadTooLarge, "Request body too large", string.Create(CultureInfo.InvariantCulture,
            $"The request body is larger than {_options.MaxRequestBodySize} bytes (Dexter:Sessions:Endpoints:MaxRequestBodySize)."));

    private IResult UnsupportedMediaType(HttpContext context, string requestId) =>
        Problem(context, requestId, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
            "Send the body as application/json: {\"query\": \"...\"}.");

    private ProblemHttpResult Problem(HttpContext context, string requestId, int statusCode, string title, string? detail)
    {
        if (statusCode < 500 && statusCode != StatusCodes.Status401Unauthorized)
        {
            LogRequestRejected(_logger, requestId, statusCode, detail);
        }

        return TypedResults.Problem(
            detail: detail,
            instance: context.Request.Path,
            statusCode: statusCode,
            title: title,
            type: statusCode switch
            {
                // ASP.NET Core's defaults name a type for the other statuses.
                StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
                StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
                _ => null,
            },
            extensions: new Dictionary<string, object?> { ["request_id"] = requestId });
    }

    /// <summary>Who called, for one request.</summary>
    /// <param name="RequestId">The request id (from <c>X-Request-Id</c>, or generated).</param>
    /// <param name="Owner">The principal that owns the sessions the caller creates; <see langword="null"/> without security.</param>
    internal readonly record struct Caller(string RequestId, string? Owner);
}
