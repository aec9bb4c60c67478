namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>A store whose backend is down: every call throws <see cref="SessionStoreUnavailableException"/>.</summary>
internal sealed class UnavailableSessionStore : ISessionStore
{
    public const string Message = "Redis at 127.0.0.1:6390 did not answer within 5 s; check REDIS_URL or that redis-server is running.";

    private static SessionStoreUnavailableException Down() => new(Message, "127.0.0.1:6390", sessionId: null, innerException: null);

    public Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default) => throw Down();

    public Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default) => throw Down();

    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) => throw Down();

    public Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default) => throw Down();

    public Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default) => throw Down();

    public Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default) => throw Down();

    public Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default) => throw Down();

    public Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default) => throw Down();

    public Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default) => throw Down();

    public Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default) =>
        throw Down();

    public Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default) => throw Down();

    public Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default) => throw Down();
}
