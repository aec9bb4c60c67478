namespace Dexter.Sessions;

/// <summary>
/// A session store that passes every call to an inner store: the base of store decorators (encryption at rest, auditing,
/// caching, test doubles), as <see cref="Microsoft.Extensions.AI.DelegatingChatClient"/> is for chat clients.
/// </summary>
/// <remarks>
/// <para>Override the members a decorator changes; the rest pass through. <see cref="GetService"/> answers with this store or,
/// failing that, asks the inner one, so health checks and other code can find a concrete store (say, the Redis store) behind
/// any number of decorators with <see cref="SessionStoreExtensions.GetService{T}(ISessionStore)"/>.</para>
/// <para>Disposing a decorator disposes the inner store only when <c>disposeInner</c> was <see langword="true"/>.</para>
/// </remarks>
public abstract class DelegatingSessionStore : ISessionStore, IAsyncDisposable, IDisposable
{
    private readonly bool _disposeInner;
    private int _disposed;

    /// <summary>Initializes a decorator.</summary>
    /// <param name="innerStore">The store calls are passed to.</param>
    /// <param name="disposeInner">Whether disposing this store disposes <paramref name="innerStore"/>.</param>
    protected DelegatingSessionStore(ISessionStore innerStore, bool disposeInner = false)
    {
        ArgumentNullException.ThrowIfNull(innerStore);
        InnerStore = innerStore;
        _disposeInner = disposeInner;
    }

    /// <summary>Gets the store calls are passed to.</summary>
    protected ISessionStore InnerStore { get; }

    /// <inheritdoc />
    public virtual Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default) =>
        InnerStore.GetAsync(sessionId, cancellationToken);

    /// <inheritdoc />
    public virtual Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default) =>
        InnerStore.SetAsync(sessionId, history, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) =>
        InnerStore.DeleteAsync(sessionId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default) =>
        InnerStore.ExistsAsync(sessionId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default) =>
        InnerStore.CreateAsync(sessionId, owner, cancellationToken);

    /// <inheritdoc />
    public virtual Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default) =>
        InnerStore.GetMetadataAsync(sessionId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default) =>
        InnerStore.AppendAsync(sessionId, message, cancellationToken);

    /// <inheritdoc />
    public virtual Task<Message?> AppendToExistingAsync(string sessionId, Message message, CancellationToken cancellationToken = default) =>
        InnerStore.AppendToExistingAsync(sessionId, message, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default) =>
        InnerStore.GetRecentAsync(sessionId, count, cancellationToken);

    /// <inheritdoc />
    public virtual Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default) =>
        InnerStore.UpdateEmbeddingsAsync(sessionId, messages, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default) =>
        InnerStore.UpdateTurnSummaryAsync(sessionId, turnId, summary, cancellationToken);

    /// <inheritdoc />
    public virtual Task<int> UpdateTurnsAsync(string sessionId, IReadOnlyCollection<int> turnIds, Func<Message, Message> update, CancellationToken cancellationToken = default) =>
        InnerStore.UpdateTurnsAsync(sessionId, turnIds, update, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> TouchAsync(string sessionId, CancellationToken cancellationToken = default) =>
        InnerStore.TouchAsync(sessionId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> SetForkOriginAsync(string sessionId, string forkedFromSessionId, int forkedFromTurnId, CancellationToken cancellationToken = default) =>
        InnerStore.SetForkOriginAsync(sessionId, forkedFromSessionId, forkedFromTurnId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default) =>
        InnerStore.GetSummaryAsync(sessionId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default) =>
        InnerStore.TrySetSummaryAsync(sessionId, summary, expectedThroughTurnId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<RewindResult> RewindAsync(string sessionId, int throughTurnId, int? expectedLastTurnId = null, CancellationToken cancellationToken = default) =>
        InnerStore.RewindAsync(sessionId, throughTurnId, expectedLastTurnId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<SessionMetadata?> ForkAsync(string sourceSessionId, int throughTurnId, string newSessionId, string? owner = null, CancellationToken cancellationToken = default) =>
        InnerStore.ForkAsync(sourceSessionId, throughTurnId, newSessionId, owner, cancellationToken);

    /// <inheritdoc />
    public virtual Task<Message?> GetTurnByKeyAsync(string sessionId, string turnKey, CancellationToken cancellationToken = default) =>
        InnerStore.GetTurnByKeyAsync(sessionId, turnKey, cancellationToken);

    /// <inheritdoc />
    public virtual Task<SessionListPage> ListSessionsAsync(string owner, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default) =>
        InnerStore.ListSessionsAsync(owner, limit, cursor, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> SetTitleAsync(string sessionId, string title, SessionTitleSource source = SessionTitleSource.Owner, CancellationToken cancellationToken = default) =>
        InnerStore.SetTitleAsync(sessionId, title, source, cancellationToken);

    /// <summary>Finds an object of <paramref name="serviceType"/>: this store when it is one, else whatever the inner store answers.</summary>
    /// <param name="serviceType">The type wanted.</param>
    /// <returns>The object, or <see langword="null"/>.</returns>
    public virtual object? GetService(Type serviceType)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceType.IsInstanceOfType(this) ? this : InnerStore.GetService(serviceType);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what this store holds; the inner store too when it was given with <c>disposeInner</c>.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _disposeInner)
        {
            (InnerStore as IDisposable)?.Dispose();
        }
    }

    /// <summary>Releases what this store holds, asynchronously; the inner store too when it was given with <c>disposeInner</c>.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    protected virtual async ValueTask DisposeAsyncCore()
    {
        if (!_disposeInner)
        {
            return;
        }

        switch (InnerStore)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
