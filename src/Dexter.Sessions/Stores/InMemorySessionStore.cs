using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// A thread-safe <see cref="ISessionStore"/> that keeps sessions in the process's memory: the default store.
/// </summary>
/// <remarks>
/// Sessions expire <see cref="DexterSessionsOptions.SessionTtl"/> after their last write and are then removed, by the
/// next call that meets them and by a periodic sweep, so memory does not grow without bound. Sessions do not survive
/// a restart of the process and are not shared between processes; use the Redis store for that.
/// </remarks>
public sealed partial class InMemorySessionStore : ISessionStore, IDisposable
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _ttl;
    private readonly ILogger _logger;
    private readonly ITimer _sweepTimer;
    private int _disposed;

    /// <summary>Initializes a store with the default options and the system clock.</summary>
    public InMemorySessionStore()
        : this(Options.Create(new DexterSessionsOptions()))
    {
    }

    /// <summary>Initializes a store.</summary>
    /// <param name="options">The options; <see cref="DexterSessionsOptions.SessionTtl"/> sets the expiry.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    public InMemorySessionStore(IOptions<DexterSessionsOptions> options, TimeProvider? timeProvider = null, ILogger<InMemorySessionStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ttl = options.Value.SessionTtl;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_ttl, TimeSpan.Zero, "options.Value.SessionTtl");
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var sweepInterval = _ttl < TimeSpan.FromMinutes(1) ? _ttl : TimeSpan.FromMinutes(1);
        _sweepTimer = _timeProvider.CreateTimer(static state => ((InMemorySessionStore)state!).RemoveExpired(), this, sweepInterval, sweepInterval);
    }

    /// <summary>Gets the number of sessions held, expired ones not yet swept included.</summary>
    public int Count => _sessions.Count;

    /// <inheritdoc />
    public Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null)
        {
            return Task.FromResult<MessageHistory?>(null);
        }

        lock (session)
        {
            return Task.FromResult<MessageHistory?>(session.Removed ? null : new MessageHistory(session.Turns, timeProvider: _timeProvider));
        }
    }

    /// <inheritdoc />
    public Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(history);
        cancellationToken.ThrowIfCancellationRequested();
        var turns = history.GetAll();
        Write(sessionId, owner: null, session =>
        {
            session.Turns.Clear();
            session.Turns.AddRange(turns);
            session.TurnKeys.Clear();
            session.LastId = turns.Count == 0 ? 0 : turns.Max(t => t.Id);
            session.Summary = null;
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_sessions.TryRemove(sessionId, out var session))
        {
            return Task.FromResult(false);
        }

        lock (session)
        {
            var existed = !session.Removed && !IsExpired(session);
            session.Removed = true;
            return Task.FromResult(existed);
        }
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Find(sessionId) is not null);
    }

    /// <inheritdoc />
    public Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        var created = false;
        Write(sessionId, owner, session => created = session.IsNew, refreshExisting: false);
        if (created && owner is not null)
        {
            IndexOwner(sessionId, owner);
        }

        return Task.FromResult(created);
    }

    /// <inheritdoc />
    public Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null)
        {
            return Task.FromResult<SessionMetadata?>(null);
        }

        lock (session)
        {
            return Task.FromResult<SessionMetadata?>(session.Removed ? null : Metadata(sessionId, session));
        }
    }

    /// <inheritdoc />
    public Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        TurnKey.ThrowIfInvalidKeyOf(message);
        cancellationToken.ThrowIfCancellationRequested();
        Message? recorded = null;
        Write(sessionId, owner: null, session => recorded = AppendLocked(session, message));
        return Task.FromResult(recorded!);
    }

    /// <inheritdoc />
    public Task<Message?> AppendToExistingAsync(string sessionId, Message message, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        TurnKey.ThrowIfInvalidKeyOf(message);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null)
        {
            return Task.FromResult<Message?>(null);
        }

        lock (session)
        {
            // Deleted or swept since the lookup: the session stays gone.
            if (session.Removed || IsExpired(session))
            {
                return Task.FromResult<Message?>(null);
            }

            var recorded = AppendLocked(session, message);
            session.IsNew = false;
            session.LastActivityAt = _timeProvider.GetUtcNow();
            return Task.FromResult<Message?>(recorded);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null)
        {
            return Task.FromResult<IReadOnlyList<Message>>([]);
        }

        lock (session)
        {
            if (session.Removed)
            {
                return Task.FromResult<IReadOnlyList<Message>>([]);
            }

            var take = Math.Min(count, session.Turns.Count);
            return Task.FromResult<IReadOnlyList<Message>>(CollectionsMarshal.AsSpan(session.Turns)[^take..].ToArray());
        }
    }

    /// <inheritdoc />
    public Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null || messages.Count == 0)
        {
            return Task.CompletedTask;
        }

        lock (session)
        {
            if (session.Removed || IsExpired(session))
            {
                return Task.CompletedTask;
            }

            foreach (var update in messages)
            {
                var index = IndexOf(session.Turns, update.Id);
                if (index >= 0)
                {
                    session.Turns[index] = session.Turns[index] with { Embedding = update.Embedding.ToArray() };
                }
            }

            // A write, and so activity, as in every other store (a call naming no turn id writes nothing).
            if (messages.Any(static m => m.Id >= 1))
            {
                session.LastActivityAt = _timeProvider.GetUtcNow();
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Removes every session whose expiry has passed.</summary>
    /// <returns>How many sessions were removed.</returns>
    public int RemoveExpired()
    {
        var removed = 0;
        foreach (var (id, session) in _sessions)
        {
            lock (session)
            {
                if (session.Removed || !IsExpired(session))
                {
                    continue;
                }

                session.Removed = true;
            }

            if (_sessions.TryRemove(new KeyValuePair<string, Session>(id, session)))
            {
                removed++;
            }
        }

        PruneOwnerIndex();
        if (removed > 0)
        {
            Log.ExpiredSessionsRemoved(_logger, removed);
        }

        return removed;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _sweepTimer.Dispose();
        }
    }

    private static int IndexOf(List<Message> turns, int id)
    {
        if (id >= 1 && id <= turns.Count && turns[id - 1].Id == id)
        {
            return id - 1;
        }

        return turns.FindIndex(m => m.Id == id);
    }

    private bool IsExpired(Session session) => _timeProvider.GetUtcNow() - session.LastActivityAt >= _ttl;

    private Session? Find(string sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            return null;
        }

        lock (session)
        {
            if (session.Removed)
            {
                return null;
            }

            if (IsExpired(session))
            {
                session.Removed = true;
                _sessions.TryRemove(new KeyValuePair<string, Session>(sessionId, session));
                return null;
            }

            return session;
        }
    }

    // refreshExisting: whether the write refreshes the expiry of a session that already existed; false for CreateAsync,
    // which leaves an existing session as it was.
    private void Write(string sessionId, string? owner, Action<Session> write, bool refreshExisting = true)
    {
        while (true)
        {
            var now = _timeProvider.GetUtcNow();
            var session = _sessions.GetOrAdd(sessionId, static (_, state) => new Session(state.now, state.owner), (now, owner));
            lock (session)
            {
                if (session.Removed)
                {
                    continue; // Deleted or swept between the lookup and the lock: start a new session.
                }

                if (IsExpired(session))
                {
                    session.Removed = true;
                    _sessions.TryRemove(new KeyValuePair<string, Session>(sessionId, session));
                    continue;
                }

                var isNew = session.IsNew;
                write(session);
                session.IsNew = false;
                if (isNew || refreshExisting)
                {
                    session.LastActivityAt = now;
                }

                return;
            }
        }
    }

    private sealed partial class Session(DateTimeOffset createdAt, string? owner)
    {
        public List<Message> Turns { get; } = [];

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public DateTimeOffset LastActivityAt { get; set; } = createdAt;

        public string? Owner { get; } = owner;

        public int LastId { get; set; }

        public bool IsNew { get; set; } = true;

        public bool Removed { get; set; }

        public SessionSummary? Summary { get; set; }

        public Dictionary<string, int> TurnKeys { get; } = new(StringComparer.Ordinal);

        public string? ForkedFromSessionId { get; set; }

        public int? ForkedFromTurnId { get; set; }
    }
}
