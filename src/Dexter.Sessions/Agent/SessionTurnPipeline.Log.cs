using Microsoft.Extensions.Logging;

namespace Dexter.Sessions;

public sealed partial class SessionTurnPipeline
{
    /// <summary>The log messages of a turn, shared by the pipeline, its context builder, its recorder and its rolling summary folder.</summary>
    internal static partial class Log
    {
        [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Recorded turn {MessageId} of session {SessionId} in {ElapsedMilliseconds:0} ms.")]
        public static partial void TurnRecorded(ILogger logger, string sessionId, int messageId, double elapsedMilliseconds);

        [LoggerMessage(EventId = 1001, Level = LogLevel.Trace, Message = "Turn {MessageId} of session {SessionId}: query {Query}; answer {Answer}")]
        public static partial void TurnContent(ILogger logger, string sessionId, int messageId, string query, string answer);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "A turn of session {SessionId} was cancelled; nothing was recorded.")]
        public static partial void TurnCancelled(ILogger logger, string sessionId);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "A turn of session {SessionId} failed; nothing was recorded and the session is unchanged.")]
        public static partial void TurnFailed(ILogger logger, string sessionId, Exception exception);

        [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "The message selector {Selector} failed; the latest turns are used as context instead.")]
        public static partial void SelectionFallback(ILogger logger, string selector, Exception exception);

        [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "The message selector {Selector} could not prepare the new turn; it is recorded without that.")]
        public static partial void PrepareFallback(ILogger logger, string selector, Exception exception);

        [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "The embeddings of {Count} turns of session {SessionId}, computed for selection, could not be stored; they are computed again next time.")]
        public static partial void KeepEmbeddingsFailed(ILogger logger, int count, string sessionId, Exception exception);

        [LoggerMessage(EventId = 1014, Level = LogLevel.Debug, Message = "Left {Dropped} of {Selected} selected turns out of the context to keep it within {MaxTokens} tokens.")]
        public static partial void ContextTrimmed(ILogger logger, int dropped, int selected, int maxTokens);

        [LoggerMessage(EventId = 1015, Level = LogLevel.Warning, Message = "The instructions alone take more than Dexter:Sessions:MaxContextTokens ({MaxTokens}); they were cut to fit. Raise the budget or shorten the instructions.")]
        public static partial void InstructionsCut(ILogger logger, int maxTokens);

        [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "The summarizer {Summarizer} failed; the summary fell back to truncation and the turn is recorded as usual.")]
        public static partial void SummaryFallback(ILogger logger, string summarizer, Exception exception);

        [LoggerMessage(EventId = 1016, Level = LogLevel.Warning, Message = "The rolling summary of session {SessionId} could not be read; this turn's context has the recent turns only.")]
        public static partial void RollingSummaryReadFailed(ILogger logger, string sessionId, Exception exception);

        [LoggerMessage(EventId = 1017, Level = LogLevel.Warning, Message = "The rolling summarizer {Summarizer} failed for session {SessionId}; the previous summary (through turn {ThroughTurnId}) is kept and the same turns are folded after the next turn.")]
        public static partial void RollingSummaryFailed(ILogger logger, string summarizer, string sessionId, int throughTurnId, Exception exception);

        [LoggerMessage(EventId = 1018, Level = LogLevel.Warning, Message = "The rolling summarizer {Summarizer} returned no text for session {SessionId}; the previous summary is kept.")]
        public static partial void RollingSummaryEmpty(ILogger logger, string summarizer, string sessionId);

        [LoggerMessage(EventId = 1019, Level = LogLevel.Debug, Message = "Folded {Count} turns into the rolling summary of session {SessionId}; it covers turns 1 to {ThroughTurnId}.")]
        public static partial void RollingSummaryUpdated(ILogger logger, string sessionId, int count, int throughTurnId);

        [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "The rolling summary of session {SessionId} was too far behind; turns {From} to {To} were not folded into it.")]
        public static partial void FoldSkipped(ILogger logger, string sessionId, int from, int to);

        [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "The work after turn {MessageId} of session {SessionId} failed; the turn is recorded, and the rolling summary catches up after the next turn.")]
        public static partial void FollowUpFailed(ILogger logger, string sessionId, int messageId, Exception exception);

        [LoggerMessage(EventId = 1022, Level = LogLevel.Debug, Message = "The work after turn {MessageId} of session {SessionId} was not queued: the caller cancelled while the queue was full.")]
        public static partial void FollowUpNotQueued(ILogger logger, string sessionId, int messageId);

        [LoggerMessage(EventId = 1023, Level = LogLevel.Debug, Message = "The summary of turn {MessageId} of session {SessionId} was not written: the turn or the session is gone.")]
        public static partial void TurnSummaryNotWritten(ILogger logger, string sessionId, int messageId);

        [LoggerMessage(EventId = 1024, Level = LogLevel.Debug, Message = "The rolling summary update after turn {MessageId} of session {SessionId} stopped with the caller's cancellation; the turn is recorded and the next turn folds what it would have.")]
        public static partial void FollowUpCancelled(ILogger logger, string sessionId, int messageId);

        [LoggerMessage(EventId = 1025, Level = LogLevel.Warning, Message = "The title of session {SessionId} was not written; the turn is recorded and the session keeps the title it had.")]
        public static partial void TitleNotWritten(ILogger logger, string sessionId, Exception exception);

        [LoggerMessage(EventId = 1026, Level = LogLevel.Information, Message = "Turn {MessageId} of session {SessionId} was stopped by its caller and recorded with the {Length} characters written so far, marked interrupted.")]
        public static partial void TurnInterrupted(ILogger logger, string sessionId, int messageId, int length);

        [LoggerMessage(EventId = 1027, Level = LogLevel.Warning, Message = "A turn of session {SessionId} was stopped by its caller and could not be recorded with its partial answer; nothing was recorded.")]
        public static partial void InterruptedTurnNotRecorded(ILogger logger, string sessionId, Exception exception);
    }
}
