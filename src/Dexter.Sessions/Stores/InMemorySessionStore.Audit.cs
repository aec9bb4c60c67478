using System.Collections.Concurrent;

namespace Dexter.Sessions;

public sealed partial class InMemorySessionStore : ISessionAuditStore
{
    private readonly ConcurrentDictionary<string, AuditTrail> _auditTrails = new(StringComparer.Ordinal);
    private int _auditAppends;

    /// <inheritdoc />
    /// <remarks>Trails live in the process's memory beside the sessions, apart from them: deleting a session keeps its trail.</remarks>
    public Task AppendAuditEventAsync(SessionAuditEvent auditEvent, TimeSpan retention, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        SessionId.ThrowIfInvalid(auditEvent.SessionId!);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var now = _timeProvider.GetUtcNow();
        while (true)
        {
            var trail = _auditTrails.GetOrAdd(auditEvent.SessionId!, static _ => new AuditTrail());
            lock (trail)
            {
                if (trail.Removed)
                {
                    continue;
                }

                if (trail.ExpiresAt <= now)
                {
                    trail.Events.Clear();
                }

                trail.Events.Add(auditEvent);
                var expiresAt = now + retention;
                trail.ExpiresAt = expiresAt > trail.ExpiresAt ? expiresAt : trail.ExpiresAt;
                break;
            }
        }

        // Expired trails of other sessions are dropped now and then, so memory does not grow without bound.
        if (Interlocked.Increment(ref _auditAppends) % 256 == 0)
        {
            RemoveExpiredAuditTrails(now);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SessionAuditEvent>> GetAuditEventsAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_auditTrails.TryGetValue(sessionId, out var trail))
        {
            return Task.FromResult<IReadOnlyList<SessionAuditEvent>>([]);
        }

        lock (trail)
        {
            return Task.FromResult<IReadOnlyList<SessionAuditEvent>>(
                trail.Removed || trail.ExpiresAt <= _timeProvider.GetUtcNow() ? [] : [.. trail.Events]);
        }
    }

    private void RemoveExpiredAuditTrails(DateTimeOffset now)
    {
        foreach (var (id, trail) in _auditTrails)
        {
            lock (trail)
            {
                if (trail.ExpiresAt > now)
                {
                    continue;
                }

                trail.Removed = true;
            }

            _auditTrails.TryRemove(new KeyValuePair<string, AuditTrail>(id, trail));
        }
    }

    private sealed class AuditTrail
    {
        public List<SessionAuditEvent> Events { get; } = [];

        public DateTimeOffset ExpiresAt { get; set; }

        public bool Removed { get; set; }
    }
}
