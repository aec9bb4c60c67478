using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.AgentFramework;

public sealed partial class DexterChatHistoryProvider
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 700, Level = LogLevel.Debug, Message = "An agent session started Dexter.Sessions session {SessionId}.")]
        public static partial void SessionStarted(ILogger logger, string sessionId);

        [LoggerMessage(EventId = 701, Level = LogLevel.Debug, Message = "A run of session {SessionId} has no user message with text; it gets no context and records no turn.")]
        public static partial void NoUserMessage(ILogger logger, string sessionId);

        [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "A run of session {SessionId} ended without the turn begun for it (its input messages were replaced after the history was loaded, or per-service-call persistence is on); the turn is recorded, begun now.")]
        public static partial void TurnBegunAtEnd(ILogger logger, string sessionId);
    }
}
