using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.Embeddings;

public sealed partial class EmbeddingMessageSelector
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 4000, Level = LogLevel.Warning, Message = "Embedding the query or past turns failed; the latest {MaxMessages} of {Candidates} turns are used as context for this query.")]
        public static partial void SelectionFailed(ILogger logger, int maxMessages, int candidates, Exception exception);

        [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "The embedding generator did not answer within {TimeoutMilliseconds:0} ms; the latest {MaxMessages} of {Candidates} turns are used as context for this query.")]
        public static partial void SelectionTimedOut(ILogger logger, double timeoutMilliseconds, int maxMessages, int candidates, Exception exception);

        [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Embedding the new turn failed; it is recorded without a vector and embedded when it is first needed.")]
        public static partial void PrepareFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "The embedding generator did not embed the new turn within {TimeoutMilliseconds:0} ms; it is recorded without a vector and embedded when it is first needed.")]
        public static partial void PrepareTimedOut(ILogger logger, double timeoutMilliseconds, Exception exception);

        [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Embedded {Count} past turns of session {SessionId} in one call ({Stale} had a vector of another length).")]
        public static partial void EmbeddedPastTurns(ILogger logger, int count, int stale, string? sessionId);

        [LoggerMessage(EventId = 4006, Level = LogLevel.Debug, Message = "No turn of {Candidates} reached a cosine similarity of {Threshold}; the latest {MaxMessages} turns are used as context.")]
        public static partial void NoTurnSimilarEnough(ILogger logger, int candidates, float threshold, int maxMessages);

        [LoggerMessage(EventId = 4007, Level = LogLevel.Debug, Message = "Selected {Count} of {Candidates} turns by embedding similarity.")]
        public static partial void Selected(ILogger logger, int count, int candidates);

        [LoggerMessage(EventId = 750, Level = LogLevel.Debug, Message = "Computed the norms of {Computed} of {Candidates} turn vectors of session {SessionId} for the scan (int8 codes: {Quantized}); the others were kept from earlier queries.")]
        public static partial void ScanIndexUpdated(ILogger logger, int computed, int candidates, string? sessionId, bool quantized);
    }
}
