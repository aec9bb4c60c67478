using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.Sqlite;

public sealed partial class SqliteSessionStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Brought the session tables of {Path} from schema version {From} to {To}.")]
        public static partial void SchemaCreated(ILogger logger, string path, long from, int to);

        [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "The SQLite session database {Path} is unavailable; a session call failed.")]
        public static partial void Unavailable(ILogger logger, string path, Exception? exception);

        [LoggerMessage(EventId = 602, Level = LogLevel.Error, Message = "Session {SessionId} in SQLite cannot be read: {Problem}.")]
        public static partial void CorruptRecord(ILogger logger, string sessionId, string problem);

        [LoggerMessage(EventId = 603, Level = LogLevel.Trace, Message = "Appended turn {TurnId} to session {SessionId}.")]
        public static partial void TurnAppended(ILogger logger, int turnId, string sessionId);

        [LoggerMessage(EventId = 604, Level = LogLevel.Debug, Message = "Deleted {Count} expired sessions from {Path}.")]
        public static partial void ExpiredSessionsRemoved(ILogger logger, int count, string path);
    }
}
