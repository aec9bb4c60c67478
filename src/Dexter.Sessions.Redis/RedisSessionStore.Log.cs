using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis;

public sealed partial class RedisSessionStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1300, Level = LogLevel.Debug, Message = "Connecting to Redis at {Endpoint}.")]
        public static partial void Connecting(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Connected to Redis at {Endpoint}.")]
        public static partial void Connected(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Lost the connection to Redis at {Endpoint} ({FailureType}); session calls fail until it is restored.")]
        public static partial void ConnectionFailed(ILogger logger, string endpoint, ConnectionFailureType failureType, Exception? exception);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "The connection to Redis at {Endpoint} is restored.")]
        public static partial void ConnectionRestored(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Redis at {Endpoint} is unavailable; a session call failed.")]
        public static partial void Unavailable(ILogger logger, string endpoint, Exception? exception);

        [LoggerMessage(EventId = 1305, Level = LogLevel.Error, Message = "Session {SessionId} in Redis cannot be read: {Problem}.")]
        public static partial void CorruptRecord(ILogger logger, string sessionId, string problem);

        [LoggerMessage(EventId = 1306, Level = LogLevel.Trace, Message = "Appended turn {TurnId} to session {SessionId}.")]
        public static partial void TurnAppended(ILogger logger, int turnId, string sessionId);

        [LoggerMessage(EventId = 1307, Level = LogLevel.Debug, Message = "{Count} turn records changed while their embeddings were stored; reading them again.")]
        public static partial void EmbeddingUpdateRetried(ILogger logger, long count);

        [LoggerMessage(EventId = 1320, Level = LogLevel.Debug, Message = "{Count} turn records of session {SessionId} changed while they were updated; reading them again.")]
        public static partial void TurnUpdateRetried(ILogger logger, int count, string sessionId);

        [LoggerMessage(EventId = 930, Level = LogLevel.Debug, Message = "Turn {TurnId} of session {SessionId} changed while its summary was stored; reading it again.")]
        public static partial void TurnSummaryUpdateRetried(ILogger logger, int turnId, string sessionId);
    }
}
