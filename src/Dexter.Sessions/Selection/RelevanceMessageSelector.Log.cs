using Microsoft.Extensions.Logging;

namespace Dexter.Sessions;

public sealed partial class RelevanceMessageSelector
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1410, Level = LogLevel.Debug,
            Message = "Ranked the {Turns} turns of session {SessionId} (lexical: {Lexical}, vectors: {Vectors}).")]
        public static partial void Ranked(ILogger logger, int turns, string? sessionId, bool lexical, bool vectors);

        [LoggerMessage(EventId = 1411, Level = LogLevel.Warning,
            Message = "The embedding generator failed; the turns of session {SessionId} are ranked by lexical relevance and recency for this query.")]
        public static partial void VectorsFailed(ILogger logger, string? sessionId, Exception exception);

        [LoggerMessage(EventId = 1412, Level = LogLevel.Information,
            Message = "Embedded {Count} turns of session {SessionId} recorded without a vector; {Left} are left for later queries.")]
        public static partial void EmbeddedPastTurns(ILogger logger, int count, string? sessionId, int left);

        [LoggerMessage(EventId = 1413, Level = LogLevel.Warning,
            Message = "Turn {TurnId} could not be embedded; it keeps its query's vector until a query embeds it again.")]
        public static partial void IndexTurnFailed(ILogger logger, int turnId, Exception exception);
    }
}
