using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.Embeddings.MiniLM.Tests.TestSupport;

/// <summary>A logger that calls back on each event, so that a test can act at a known point of a call.</summary>
internal sealed class CallbackLogger(Action<EventId> onLog) : ILogger<MiniLMEmbeddingGenerator>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        onLog(eventId);
}
