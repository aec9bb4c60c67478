using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.Embeddings.MiniLM;

public sealed partial class MiniLMEmbeddingGenerator
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Loaded the embedding model {ModelId} from {Source} in {ElapsedMilliseconds:0} ms: {Dimensions} dimensions, inputs {Inputs}, pooled output {Output}.")]
        public static partial void ModelLoaded(ILogger logger, string modelId, string source, double elapsedMilliseconds, int dimensions, string inputs, string output);

        [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "Loading the embedding model {ModelId} from {Source} failed; the call fails, and the next call tries again.")]
        public static partial void ModelLoadFailed(ILogger logger, string modelId, string source, Exception exception);

        [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Cut {Truncated} of {Count} texts to their first {MaxTokens} tokens.")]
        public static partial void TextsTruncated(ILogger logger, int truncated, int count, int maxTokens);
    }
}
