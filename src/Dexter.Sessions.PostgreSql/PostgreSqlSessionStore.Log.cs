using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.PostgreSql;

public sealed partial class PostgreSqlSessionStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 650, Level = LogLevel.Information, Message = "Created or migrated the session tables {Tables} in PostgreSQL at {Endpoint} from schema version {From} to {To}.")]
        public static partial void SchemaMigrated(ILogger logger, string tables, string endpoint, int from, int to);

        [LoggerMessage(EventId = 651, Level = LogLevel.Warning, Message = "PostgreSQL at {Endpoint} is unavailable; a session call failed.")]
        public static partial void Unavailable(ILogger logger, string endpoint, Exception? exception);

        [LoggerMessage(EventId = 652, Level = LogLevel.Error, Message = "Session {SessionId} in PostgreSQL cannot be read: {Problem}.")]
        public static partial void CorruptRecord(ILogger logger, string sessionId, string problem);

        [LoggerMessage(EventId = 653, Level = LogLevel.Trace, Message = "Appended turn {TurnId} to session {SessionId}.")]
        public static partial void TurnAppended(ILogger logger, int turnId, string sessionId);

        [LoggerMessage(EventId = 654, Level = LogLevel.Debug, Message = "Deleted {Count} expired sessions from PostgreSQL at {Endpoint}.")]
        public static partial void ExpiredSessionsDeleted(ILogger logger, int count, string endpoint);
    }
}
