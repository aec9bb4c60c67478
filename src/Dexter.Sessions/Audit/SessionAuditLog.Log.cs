using Microsoft.Extensions.Logging;

namespace Dexter.Sessions;

public sealed partial class SessionAuditLog
{
    /// <summary>One message per audit action, EventIds 850-862, category <see cref="LogCategory"/>; never conversation content.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 850, EventName = "SessionAuditCreated", Level = LogLevel.Information,
            Message = "Audit: session {SessionId} created by {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Created(ILogger logger, string sessionId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 851, EventName = "SessionAuditQueried", Level = LogLevel.Information,
            Message = "Audit: session {SessionId} queried by {Principal}, turn {TurnId} recorded (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Queried(ILogger logger, string sessionId, int turnId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 852, EventName = "SessionAuditHistoryRead", Level = LogLevel.Information,
            Message = "Audit: history of session {SessionId} read by {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void HistoryRead(ILogger logger, string sessionId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 853, EventName = "SessionAuditStatisticsRead", Level = LogLevel.Information,
            Message = "Audit: statistics of session {SessionId} read by {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void StatisticsRead(ILogger logger, string sessionId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 854, EventName = "SessionAuditAuditRead", Level = LogLevel.Information,
            Message = "Audit: audit trail of session {SessionId} read by {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void AuditRead(ILogger logger, string sessionId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 855, EventName = "SessionAuditExported", Level = LogLevel.Information,
            Message = "Audit: session {SessionId} exported by {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Exported(ILogger logger, string sessionId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 856, EventName = "SessionAuditCleared", Level = LogLevel.Information,
            Message = "Audit: session {SessionId} cleared by {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Cleared(ILogger logger, string sessionId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 857, EventName = "SessionAuditImported", Level = LogLevel.Information,
            Message = "Audit: session {SessionId} imported by {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Imported(ILogger logger, string sessionId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 858, EventName = "SessionAuditDenied", Level = LogLevel.Warning,
            Message = "Audit: access to session {SessionId} denied ({Outcome}) for {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Denied(ILogger logger, string sessionId, string outcome, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 859, EventName = "SessionAuditRenamed", Level = LogLevel.Information,
            Message = "Audit: session {SessionId} renamed by {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Renamed(ILogger logger, string sessionId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 860, EventName = "SessionAuditRewound", Level = LogLevel.Information,
            Message = "Audit: session {SessionId} rewound to turn {TurnId} by {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Rewound(ILogger logger, string sessionId, int turnId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 861, EventName = "SessionAuditForked", Level = LogLevel.Information,
            Message = "Audit: session {SessionId} forked through turn {TurnId} by {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Forked(ILogger logger, string sessionId, int turnId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 862, EventName = "SessionAuditReplayed", Level = LogLevel.Information,
            Message = "Audit: turn {TurnId} of session {SessionId} replayed to {Principal} (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Replayed(ILogger logger, string sessionId, int turnId, string principal, string requestId, string remoteAddress);

        [LoggerMessage(EventId = 863, EventName = "SessionAuditInterrupted", Level = LogLevel.Information,
            Message = "Audit: turn {TurnId} of session {SessionId} was stopped by {Principal} and recorded with its partial answer (request {RequestId}, from {RemoteAddress}).")]
        public static partial void Interrupted(ILogger logger, string sessionId, int turnId, string principal, string requestId, string remoteAddress);
    }
}
