using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.AspNetCore;

internal sealed partial class DexterSessionsEndpoints
{
    [LoggerMessage(EventId = 1, EventName = "SessionCreated", Level = LogLevel.Debug,
        Message = "Created session {SessionId} (request {RequestId}).")]
    private static partial void LogSessionCreated(ILogger logger, string sessionId, string requestId);

    [LoggerMessage(EventId = 2, EventName = "CallerRejected", Level = LogLevel.Information,
        Message = "Request {RequestId} to {Path} was answered 401: {Reason}")]
    private static partial void LogCallerRejected(ILogger logger, string requestId, string path, string? reason);

    [LoggerMessage(EventId = 3, EventName = "StoreUnavailable", Level = LogLevel.Error,
        Message = "The session store is unavailable; request {RequestId} was answered 503.")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(EventId = 4, EventName = "QueryFailed", Level = LogLevel.Error,
        Message = "The query of request {RequestId} on session {SessionId} failed; an error event was sent and nothing was recorded.")]
    private static partial void LogQueryFailed(ILogger logger, Exception exception, string requestId, string sessionId);

    [LoggerMessage(EventId = 5, EventName = "QueryCancelled", Level = LogLevel.Information,
        Message = "The client of request {RequestId} disconnected; the query on session {SessionId} was cancelled and nothing was recorded.")]
    private static partial void LogQueryCancelled(ILogger logger, string requestId, string sessionId);

    [LoggerMessage(EventId = 6, EventName = "RateLimited", Level = LogLevel.Information,
        Message = "Session {SessionId} exceeded its rate limit (request {RequestId}); retry after {RetryAfterSeconds} s.")]
    private static partial void LogRateLimited(ILogger logger, string sessionId, string requestId, int retryAfterSeconds);

    [LoggerMessage(EventId = 7, EventName = "QueryAnswered", Level = LogLevel.Debug,
        Message = "Request {RequestId} recorded turn {MessageId} of session {SessionId}.")]
    private static partial void LogQueryAnswered(ILogger logger, string requestId, int messageId, string sessionId);

    [LoggerMessage(EventId = 8, EventName = "HistoryCleared", Level = LogLevel.Debug,
        Message = "Cleared session {SessionId} (request {RequestId}).")]
    private static partial void LogHistoryCleared(ILogger logger, string sessionId, string requestId);

    [LoggerMessage(EventId = 9, EventName = "RequestRejected", Level = LogLevel.Debug,
        Message = "Request {RequestId} was answered {StatusCode}: {Detail}")]
    private static partial void LogRequestRejected(ILogger logger, string requestId, int statusCode, string? detail);
}
