using Microsoft.Extensions.Logging;

namespace Dexter.Sessions;

public sealed partial class InMemorySessionStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Removed {Count} expired sessions from memory.")]
        public static partial void ExpiredSessionsRemoved(ILogger logger, int count);
    }
}
