using Microsoft.Extensions.Logging;

namespace Dexter.Sessions;

public sealed partial class ChatClientSummarizer
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1200, Level = LogLevel.Warning,
            Message = "The turn summary fell back to truncation because {Reason}. The turn is recorded as usual; if this repeats, raise Dexter:Sessions:SummarizerTimeout or set DEXTER_SUMMARIZE_LLM=false.")]
        public static partial void SummaryFallback(ILogger logger, string reason, Exception? exception);

        [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "The turn summary took {ElapsedMilliseconds} ms.")]
        public static partial void SummaryDuration(ILogger logger, double elapsedMilliseconds);
    }
}
