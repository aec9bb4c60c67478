using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// The four endpoints of <c>MapDexterSessions()</c>: <c>POST /session</c>, <c>POST /query</c> (Server-Sent Events),
/// <c>GET /history</c> (paged) and <c>DELETE /history</c>. Each step lives in its own part: <see cref="CallerAuthenticator"/>
/// (who calls), <see cref="RequestIds"/>, <see cref="QueryRequestReader"/> (the body), <see cref="SessionResolver"/>
/// (which session, and whose), <see cref="EndpointRateLimiter"/>, <see cref="SessionCookies"/>, <see cref="HistoryPager"/>,
/// <see cref="AnswerEventStream"/> (the events) and <see cref="EndpointProblems"/> (the error answers).
/// </summary>
internal sealed partial class DexterSessionsEndpoints
{
    private readonly ISessionStore _store;
    private readonly DexterSessionsEndpointOptions _options;
    private readonly DexterSessionsOptions _sessionOptions;
    private readonly CallerAuthenticator _authenticator;
    private readonly EndpointRateLimiter _rateLimiter;
    private readonly EndpointProblems _problems;
    private readonly QueryRequestReader _reader;
    private readonly SessionResolver _sessions;
    private readonly SessionCookies _cookies;
    private readonly HistoryPager _pager;
    private readonly AnswerEventStream _events;
    private readonly ILogger _logger;

    public DexterSessionsEndpoints(
        ISessionStore store,
        IOptions<DexterSessionsEndpointOptions> options,
        IOptions<DexterSessionsOptions> sessionOptions,
        CallerAuthenticator authenticator,
        EndpointRateLimiter rateLimiter,
        ILoggerFactory? loggerFactory = null)
    {
        _store = store;
        _options = options.Value;
        _sessionOptions = sessionOptions.Value;
        _authenticator = authenticator;
        _rateLimiter = rateLimiter;
        _logger = (ILogger?)loggerFactory?.CreateLogger("Dexter.Sessions.AspNetCore") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _problems = new EndpointProblems(_logger, _options);
        _reader = new QueryRequestReader(_options, _problems);
        _sessions = new SessionResolver(store, _problems);
        _cookies = new SessionCookies(_options, _sessionOptions);
        _pager = new HistoryPager(store);
        _events = new AnswerEventStream(_logger, _options, _sessionOptions.RecordInterruptedTurns);
    }

    /// <summary>Wraps a handler: request id, caller, <c>nosniff</c>, and a 503 problem when the store cannot be reached.</summary>
    public RequestDelegate Handle(Func<HttpContext, Caller, Task<IResult>> handler) => async context =>
    {
        var requestId = RequestIds.Resolve(context);
        context.Response.Headers.XContentTypeOptions = "nosniff";
        IResult result;
        try
        {
            var caller = await _authenticator.AuthenticateAsync(context).ConfigureAwait(false);
            if (!caller.Succeeded)
            {
                result = Unauthorized(context, requestId, caller.Failure);
                await EndpointAudit.RecordAsync(context, null, requestId, SessionAuditAction.Denied, EndpointAudit.RequestedSession(context),
                    SessionAuditOutcome.Unauthorized).ConfigureAwait(false);
            }
            else
            {
                var clientKey = caller.OwnerId ?? "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
                result = await handler(context, new Caller(requestId, caller.OwnerId, clientKey)).ConfigureAwait(false);
            }
        }
        catch (SessionStoreUnavailableException ex)
        {
            Log.StoreUnavailable(_logger, ex, requestId);
            // The cause (which names the store's host and port) goes to the log only, never to the client.
            result = _problems.StoreUnavailable(context, requestId);
        }

        await result.ExecuteAsync(context).ConfigureAwait(false);
    };

    /// <summary>
    /// Runs <paramref name="next"/> only for a caller the endpoints would accept (for <c>RequireDexterSessionsCaller()</c>,
    /// on routes such as <c>/openapi</c>); answers 401 otherwise.
    /// </summary>
    public async Task RequireCallerAsync(HttpContext context, RequestDelegate next)
    {
        var caller = await _authenticator.AuthenticateAsync(context).ConfigureAwait(false);
        if (caller.Succeeded)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var requestId = RequestIds.Resolve(context);
        await Unauthorized(context, requestId, caller.Failure).ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary><c>POST /session</c>: creates a session owned by the caller; 201 <c>{"session_id","status":"created"}</c> and the cookie.</summary>
    public async Task<IResult> CreateSessionAsync(HttpContext context, Caller caller)
    {
        if (await LimitClientAsync(context, caller).ConfigureAwait(false) is { } limited)
        {
            return limited;
        }

        var sessionId = SessionId.New();
        await _store.CreateAsync(sessionId, caller.Owner, context.RequestAborted).ConfigureAwait(false);
        _cookies.Set(context, sessionId);
        Log.SessionCreated(_logger, sessionId, caller.RequestId);
        await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.Created, sessionId).ConfigureAwait(false);
        return TypedResults.Json(new SessionCreatedResponse(sessionId, "created"), DexterSessionsJsonContext.Relaxed.SessionCreatedResponse,
            statusCode: StatusCodes.Status201Created);
    }

    /// <summary><c>POST /query</c>: answers as Server-Sent Events, <c>token</c> events then one <c>answer</c> or <c>error</c> event.</summary>
    public async Task<IResult> QueryAsync(HttpContext context, Caller caller)
    {
        var (request, bodyError) = await _reader.ReadAsync(context, caller.RequestId).ConfigureAwait(false);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var query = request!.Query;
        if (string.IsNullOrWhiteSpace(query))
        {
            return _problems.BadRequest(context, caller.RequestId, "The query is empty: send {\"query\": \"...\"}.");
        }

        if (query.Length > _sessionOptions.MaxQueryLength)
        {
            return _problems.BadRequest(context, caller.RequestId, string.Create(CultureInfo.InvariantCulture,
                $"The query has {query.Length} characters; at most {_sessionOptions.MaxQueryLength} are accepted (Dexter:Sessions:MaxQueryLength)."));
        }

        if (await LimitClientAsync(context, caller).ConfigureAwait(false) is { } limited)
        {
            return limited;
        }

        var explicitId = string.IsNullOrEmpty(request.SessionId) ? (string?)context.Request.Query[SessionResolver.Parameter] : request.SessionId;
        string sessionId;
        if (!string.IsNullOrEmpty(explicitId))
        {
            if (await _sessions.CheckOwnedAsync(context, caller, explicitId).ConfigureAwait(false) is { } notUsable)
            {
                return notUsable;
            }

            sessionId = explicitId;
        }
        else if (SessionCookies.Read(context) is { } cookieId && SessionId.IsValid(cookieId) &&
                 await _sessions.IsOwnedAsync(cookieId, caller, context.RequestAborted).ConfigureAwait(false))
        {
            sessionId = cookieId;
        }
        else
        {
            // No id, or a cookie for a session that expired or is not the caller's: a new session, as the wire contract says.
            sessionId = SessionId.New();
            await _store.CreateAsync(sessionId, caller.Owner, context.RequestAborted).ConfigureAwait(false);
            Log.SessionCreated(_logger, sessionId, caller.RequestId);
            await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.Created, sessionId).ConfigureAwait(false);
        }

        // A retried query with an Idempotency-Key the session holds: the recorded turn is streamed again, without the model.
        var (turnKey, keyError) = ReadIdempotencyKey(context, caller);
        if (keyError is not null)
        {
            return keyError;
        }

        Message? replay = null;
        if (turnKey is not null)
        {
            (replay, var conflict) = await FindReplayAsync(context, caller, sessionId, turnKey, query).ConfigureAwait(false);
            if (conflict is not null)
            {
                return conflict;
            }
        }

        if (replay is null && await _rateLimiter.AcquireSessionAsync(sessionId, context.RequestAborted).ConfigureAwait(false) is { } retryAfter)
        {
            Log.RateLimited(_logger, sessionId, caller.RequestId, EndpointProblems.RetryAfterSeconds(retryAfter));
            await EndpointAudit.DeniedAsync(context, caller, sessionId, SessionAuditOutcome.RateLimited).ConfigureAwait(false);
            return _problems.TooManyRequests(context, caller.RequestId, retryAfter, string.Create(CultureInfo.InvariantCulture,
                $"The session made more than {_options.RateLimitPermitsPerMinute} queries in a minute."));
        }

        _cookies.Set(context, sessionId);
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var agent = context.RequestServices.GetRequiredService<DexterAgent>();
        var events = _events.StreamAsync(agent, query, sessionId, caller.RequestId, context.RequestAborted,
            (turnId, action) => EndpointAudit.RecordAsync(context, caller, action, sessionId, turnId: turnId),
            turnKey,
            replay);
#if NET10_0_OR_GREATER
        return TypedResults.ServerSentEvents(events);
#else
        return new ServerSentEventsStreamResult(events);
#endif
    }

    /// <summary>
    /// <c>GET /history</c>: one page of the caller's session, oldest first: the latest <c>limit</c> turns, or those before the
    /// turn id <c>before</c>. Never sets the cookie.
    /// </summary>
    public async Task<IResult> GetHistoryAsync(HttpContext context, Caller caller)
    {
        var (sessionId, error) = await _sessions.ResolveExistingAsync(context, caller).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var (limit, limitError) = ReadPositive(context, "limit");
        if (limitError is not null)
        {
            return _problems.BadRequest(context, caller.RequestId, limitError);
        }

        if (limit > DexterSessionsEndpointOptions.MaxHistoryPageSize)
        {
            return _problems.BadRequest(context, caller.RequestId, string.Create(CultureInfo.InvariantCulture,
                $"The limit {limit} is more than {DexterSessionsEndpointOptions.MaxHistoryPageSize} turns a page; ask for fewer and follow next_before."));
        }

        var (before, beforeError) = ReadPositive(context, "before");
        if (beforeError is not null)
        {
            return _problems.BadRequest(context, caller.RequestId, beforeError);
        }

        var page = await _pager.ReadAsync(sessionId!, limit ?? DexterSessionsEndpointOptions.DefaultHistoryPageSize, before, context.RequestAborted)
            .ConfigureAwait(false);
        await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.HistoryRead, sessionId).ConfigureAwait(false);
        var messages = page.Messages.Select(m => new HistoryMessage(m.Id, m.Query, m.Answer, m.Summary, m.CreatedAt, m.Interrupted)).ToList();
        return TypedResults.Json(new HistoryResponse(sessionId!, page.Total, messages, page.NextBefore), DexterSessionsJsonContext.Relaxed.HistoryResponse);
    }

    /// <summary>
    /// <c>GET /context?query=…</c>: exactly the context the model would receive before the query in the caller's session, and why
    /// each past turn is in it (its id, tokens and score parts); records nothing. Never sets the cookie.
    /// </summary>
    public async Task<IResult> ExplainContextAsync(HttpContext context, Caller caller)
    {
        string? query = context.Request.Query["query"];
        if (string.IsNullOrWhiteSpace(query))
        {
            return _problems.BadRequest(context, caller.RequestId, "The query is empty: send ?query=... with the question to explain.");
        }

        if (query.Length > _sessionOptions.MaxQueryLength)
        {
            return _problems.BadRequest(context, caller.RequestId, string.Create(CultureInfo.InvariantCulture,
                $"The query has {query.Length} characters; at most {_sessionOptions.MaxQueryLength} are accepted (Dexter:Sessions:MaxQueryLength)."));
        }

        var (sessionId, error) = await _sessions.ResolveExistingAsync(context, caller).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (await LimitClientAsync(context, caller).ConfigureAwait(false) is { } limited)
        {
            return limited;
        }

        var pipeline = context.RequestServices.GetRequiredService<SessionTurnPipeline>();
        var explanation = await pipeline.ExplainContextAsync(sessionId!, query, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(ContextResponse.From(sessionId!, query, explanation), DexterSessionsJsonContext.Relaxed.ContextResponse);
    }

    /// <summary><c>DELETE /history</c>: deletes the caller's session and every turn of it, and expires the cookie.</summary>
    public async Task<IResult> ClearHistoryAsync(HttpContext context, Caller caller)
    {
        var (sessionId, error) = await _sessions.ResolveExistingAsync(context, caller).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        await _store.DeleteAsync(sessionId!, context.RequestAborted).ConfigureAwait(false);
        _cookies.Expire(context);
        Log.HistoryCleared(_logger, sessionId!, caller.RequestId);
        await EndpointAudit.RecordAsync(context, caller, SessionAuditAction.Cleared, sessionId).ConfigureAwait(false);
        return TypedResults.Json(new HistoryClearedResponse(sessionId!, "cleared"), DexterSessionsJsonContext.Relaxed.HistoryClearedResponse);
    }

    private async Task<IResult?> LimitClientAsync(HttpContext context, Caller caller)
    {
        if (await _rateLimiter.AcquireClientAsync(caller.ClientKey, context.RequestAborted).ConfigureAwait(false) is not { } retryAfter)
        {
            return null;
        }

        Log.ClientRateLimited(_logger, caller.RequestId, EndpointProblems.RetryAfterSeconds(retryAfter));
        await EndpointAudit.DeniedAsync(context, caller, null, SessionAuditOutcome.RateLimited).ConfigureAwait(false);
        return _problems.TooManyRequests(context, caller.RequestId, retryAfter, string.Create(CultureInfo.InvariantCulture,
            $"The client made more than {_options.ClientRateLimitPermitsPerMinute} requests in a minute (Dexter:Sessions:RateLimit:ClientPermitsPerMinute)."));
    }

    private IResult Unauthorized(HttpContext context, string requestId, string? failure)
    {
        Log.CallerRejected(_logger, requestId, context.Request.Path, failure);
        context.Response.Headers.WWWAuthenticate = _authenticator.Challenges();
        return _problems.Unauthorized(context, requestId, failure);
    }

    private static (int? Value, string? Error) ReadPositive(HttpContext context, string name)
    {
        string? text = context.Request.Query[name];
        if (string.IsNullOrEmpty(text))
        {
            return (null, null);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? (value, null)
            : (null, $"The parameter {name} must be a whole number of 1 or more.");
    }
}
