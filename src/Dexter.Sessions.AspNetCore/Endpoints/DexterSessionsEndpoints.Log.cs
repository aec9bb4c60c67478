using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.AspNetCore;

internal sealed partial class DexterSessionsEndpoints
{
    /// <summary>The endpoints' log messages, category <c>Dexter.Sessions.AspNetCore</c>; EventIds 1-9 and 400-499.</summary>
    internal static partial class Log
    {
        [LoggerMessage(EventId = 1, EventName = "SessionCreated", Level = LogLevel.Debug,
            Message = "Created session {SessionId} (request {RequestId}).")]
        public static partial void SessionCreated(ILogger logger, string sessionId, string requestId);

        [LoggerMessage(EventId = 2, EventName = "CallerRejected", Level = LogLevel.Information,
            Message = "Request {RequestId} to {Path} was answered 401: {Reason}")]
        public static partial void CallerRejected(ILogger logger, string requestId, string path, string? reason);

        [LoggerMessage(EventId = 3, EventName = "StoreUnavailable", Level = LogLevel.Error,
            Message = "The session store is unavailable; request {RequestId} was answered 503.")]
        public static partial void StoreUnavailable(ILogger logger, Exception exception, string requestId);

        [LoggerMessage(EventId = 4, EventName = "QueryFailed", Level = LogLevel.Error,
            Message = "The query of request {RequestId} on session {SessionId} failed; an error event was sent and nothing was recorded.")]
        public static partial void QueryFailed(ILogger logger, Exception exception, string requestId, string sessionId);

        [LoggerMessage(EventId = 5, EventName = "QueryCancelled", Level = LogLevel.Information,
            Message = "The client of request {RequestId} disconnected; the query on session {SessionId} was cancelled and nothing was recorded.")]
        public static partial void QueryCancelled(ILogger logger, string requestId, string sessionId);

        [LoggerMessage(EventId = 403, EventName = "ListingUnavailable", Level = LogLevel.Warning,
            Message = "GET /sessions of request {RequestId} answered 501: the store cannot list sessions per owner as configured.")]
        public static partial void ListingUnavailable(ILogger logger, string requestId, Exception exception);

        [LoggerMessage(EventId = 402, EventName = "QueryInterrupted", Level = LogLevel.Information,
            Message = "The answer of request {RequestId} was stopped; turn {MessageId} of session {SessionId} was recorded with its partial answer, marked interrupted.")]
        public static partial void QueryInterrupted(ILogger logger, string requestId, int messageId, string sessionId);

        [LoggerMessage(EventId = 6, EventName = "RateLimited", Level = LogLevel.Information,
            Message = "Session {SessionId} exceeded its rate limit (request {RequestId}); retry after {RetryAfterSeconds} s.")]
        public static partial void RateLimited(ILogger logger, string sessionId, string requestId, int retryAfterSeconds);

        [LoggerMessage(EventId = 7, EventName = "QueryAnswered", Level = LogLevel.Debug,
            Message = "Request {RequestId} recorded turn {MessageId} of session {SessionId}.")]
        public static partial void QueryAnswered(ILogger logger, string requestId, int messageId, string sessionId);

        [LoggerMessage(EventId = 8, EventName = "HistoryCleared", Level = LogLevel.Debug,
            Message = "Cleared session {SessionId} (request {RequestId}).")]
        public static partial void HistoryCleared(ILogger logger, string sessionId, string requestId);

        [LoggerMessage(EventId = 9, EventName = "RequestRejected", Level = LogLevel.Debug,
            Message = "Request {RequestId} was answered {StatusCode}: {Detail}")]
        public static partial void RequestRejected(ILogger logger, string requestId, int statusCode, string? detail);

        [LoggerMessage(EventId = 400, EventName = "ClientRateLimited", Level = LogLevel.Information,
            Message = "A client exceeded its rate limit (request {RequestId}); retry after {RetryAfterSeconds} s.")]
        public static partial void ClientRateLimited(ILogger logger, string requestId, int retryAfterSeconds);

        [LoggerMessage(EventId = 401, EventName = "AnswerTooLong", Level = LogLevel.Warning,
            Message = "The answer of request {RequestId} on session {SessionId} passed {MaxAnswerLength} characters; the model's call was cancelled and nothing was recorded.")]
        public static partial void AnswerTooLong(ILogger logger, string requestId, string sessionId, int maxAnswerLength);
    }
}
