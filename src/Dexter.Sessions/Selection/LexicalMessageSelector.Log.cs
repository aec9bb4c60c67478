using Microsoft.Extensions.Logging;

namespace Dexter.Sessions;

public sealed partial class LexicalMessageSelector
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1400, Level = LogLevel.Debug, Message = "Selected {Count} of {Candidates} turns by lexical relevance.")]
        public static partial void Selected(ILogger logger, int count, int candidates);

        [LoggerMessage(EventId = 1401, Level = LogLevel.Debug,
            Message = "No word of the query was found in the {Candidates} candidate turns; the latest {MaxMessages} turns are used.")]
        public static partial void NoTurnMatched(ILogger logger, int candidates, int maxMessages);
    }
}
