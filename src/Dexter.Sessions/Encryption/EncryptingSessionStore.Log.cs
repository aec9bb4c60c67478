using Microsoft.Extensions.Logging;

namespace Dexter.Sessions;

public sealed partial class EncryptingSessionStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 800, Level = LogLevel.Error, Message = "Turn {TurnId} of session {SessionId} cannot be decrypted: {Reason}.")]
        public static partial void TurnNotDecrypted(ILogger logger, string sessionId, int turnId, string reason, Exception? exception);

        [LoggerMessage(EventId = 801, Level = LogLevel.Error, Message = "The owner of session {SessionId} cannot be decrypted.")]
        public static partial void OwnerNotDecrypted(ILogger logger, string sessionId, Exception exception);

        [LoggerMessage(EventId = 802, Level = LogLevel.Debug, Message = "Turn {TurnId} of session {SessionId} was written before encryption at rest was on; it is read as it is.")]
        public static partial void ClearTurnRead(ILogger logger, string sessionId, int turnId);

        [LoggerMessage(EventId = 803, Level = LogLevel.Debug, Message = "Session store {InnerStore} is wrapped in encryption at rest.")]
        public static partial void Wrapped(ILogger logger, string innerStore);

        [LoggerMessage(EventId = 931, Level = LogLevel.Error, Message = "The rolling summary of session {SessionId} cannot be decrypted: {Reason}.")]
        public static partial void SummaryNotDecrypted(ILogger logger, string sessionId, string reason, Exception? exception);
    }
}
