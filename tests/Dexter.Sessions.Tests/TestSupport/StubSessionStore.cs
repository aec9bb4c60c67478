namespace Dexter.Sessions.Tests.TestSupport;

/// <summary>A store type with a public constructor that delegates to an in-memory store, for registration tests.</summary>
internal sealed class StubSessionStore : ISessionStore, IDisposable
{
    private readonly InMemorySessionStore _inner = new();

    public Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetAsync(sessionId, cancellationToken);

    public Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default) => _inner.SetAsync(sessionId, history, cancellationToken);

    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.DeleteAsync(sessionId, cancellationToken);

    public Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.ExistsAsync(sessionId, cancellationToken);

    public Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default) => _inner.CreateAsync(sessionId, owner, cancellationToken);

    public Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetMetadataAsync(sessionId, cancellationToken);

    public Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default) => _inner.AppendAsync(sessionId, message, cancellationToken);

    public Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default) => _inner.GetRecentAsync(sessionId, count, cancellationToken);

    public Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default) => _inner.UpdateEmbeddingsAsync(sessionId, messages, cancellationToken);

    public void Dispose() => _inner.Dispose();
}
