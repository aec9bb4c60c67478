using System.Collections.Concurrent;
using Dexter.Sessions.Shared;

namespace Dexter.Sessions;

/// <summary>Listing an owner's sessions and titling sessions.</summary>
/// <remarks>
/// Each owner has a set of its sessions, filled when a session is created with that owner. A deleted or expired session is dropped
/// from its owner's set by the next listing that meets it and by the periodic sweep; a listing never returns it. A listing sorts the
/// owner's sessions only, never every session of the store.
/// </remarks>
public sealed partial class InMemorySessionStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Session>> _owners = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<SessionListPage> ListSessionsAsync(string owner, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidList(owner, limit);
        var after = cursor is null ? ((long, string)?)null : SessionListCursor.Decode(cursor, nameof(cursor));
        cancellationToken.ThrowIfCancellationRequested();
        if (!_owners.TryGetValue(owner, out var sessions))
        {
            return Task.FromResult(new SessionListPage([], null));
        }

        var live = new List<SessionMetadata>(sessions.Count);
        foreach (var (id, session) in sessions)
        {
            SessionMetadata? metadata = null;
            lock (session)
            {
                if (!session.Removed && !IsExpired(session))
                {
                    metadata = Metadata(id, session);
                }
            }

            if (metadata is null)
            {
                sessions.TryRemove(new KeyValuePair<string, Session>(id, session));
                continue;
            }

            if (after is not { } position || IsAfter(metadata, position.Item1, position.Item2))
            {
                live.Add(metadata);
            }
        }

        live.Sort(static (a, b) =>
        {
            var byTime = b.LastActivityAt.UtcTicks.CompareTo(a.LastActivityAt.UtcTicks);
            return byTime != 0 ? byTime : string.CompareOrdinal(b.SessionId, a.SessionId);
        });
        if (live.Count <= limit)
        {
            return Task.FromResult(new SessionListPage(live, null));
        }

        var page = live.GetRange(0, limit);
        var last = page[^1];
        return Task.FromResult(new SessionListPage(page, SessionListCursor.Encode(last.LastActivityAt.UtcTicks, last.SessionId)));
    }

    /// <inheritdoc />
    public Task<bool> SetTitleAsync(string sessionId, string title, SessionTitleSource source = SessionTitleSource.Owner, CancellationToken cancellationToken = default)
    {
        var stored = SessionStoreArguments.ThrowIfInvalidTitle(sessionId, title, source);
        cancellationToken.ThrowIfCancellationRequested();
        var session = Find(sessionId);
        if (session is null)
        {
            return Task.FromResult(false);
        }

        lock (session)
        {
            // Checked again under the lock: the session may have been deleted, or have expired, since it was found.
            if (session.Removed || IsExpired(session) || (source != SessionTitleSource.Owner && session.TitleSource >= source))
            {
                return Task.FromResult(false);
            }

            session.Title = stored;
            session.TitleSource = source;
            return Task.FromResult(true);
        }
    }

    // Sessions after the cursor's, in the listing's order: older activity, or the same time and a smaller id.
    private static bool IsAfter(SessionMetadata metadata, long ticks, string sessionId) =>
        metadata.LastActivityAt.UtcTicks < ticks ||
        (metadata.LastActivityAt.UtcTicks == ticks && string.CompareOrdinal(metadata.SessionId, sessionId) < 0);

    private static SessionMetadata Metadata(string sessionId, Session session) =>
        new(sessionId, session.CreatedAt, session.LastActivityAt, session.Turns.Count, session.Owner)
        {
            Title = session.Title,
            TitleSource = session.TitleSource,
            ForkedFromSessionId = session.ForkedFromSessionId,
            ForkedFromTurnId = session.ForkedFromTurnId,
        };

    private void IndexOwner(string sessionId, string owner)
    {
        if (_sessions.TryGetValue(sessionId, out var session))
        {
            _owners.GetOrAdd(owner, static _ => new ConcurrentDictionary<string, Session>(StringComparer.Ordinal))[sessionId] = session;
        }
    }

    private void PruneOwnerIndex()
    {
        foreach (var (owner, sessions) in _owners)
        {
            foreach (var (id, session) in sessions)
            {
                bool gone;
                lock (session)
                {
                    gone = session.Removed || IsExpired(session);
                }

                if (gone)
                {
                    sessions.TryRemove(new KeyValuePair<string, Session>(id, session));
                }
            }

            if (sessions.IsEmpty)
            {
                _owners.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, Session>>(owner, sessions));
            }
        }
    }

    private sealed partial class Session
    {
        public string? Title { get; set; }

        public SessionTitleSource TitleSource { get; set; }
    }
}
