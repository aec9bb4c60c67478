using System.Collections.Concurrent;
using Dexter.Sessions.Shared;

namespace Dexter.Sessions;

/// <summary>Listing an owner's sessions and titling sessions.</summary>
/// <remarks>
/// Each owner has a set of its sessions, filled when a session is created with that owner. A deleted or expired session is dropped
/// from its owner's set by the next listing that meets it and by the periodic sweep; a listing never returns it. A listing visits the
/// owner's sessions only, never every session of the store, and keeps the page it returns in a heap of limit + 1 entries rather than
/// sorting them all.
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

        // One pass over the owner's sessions keeps the limit + 1 first in the listing's order in a heap whose root is the last of
        // them, so a page costs O(n log limit) and builds metadata only for the sessions that enter the heap, not for all n.
        var take = limit + 1;
        var first = new PriorityQueue<SessionMetadata, SessionMetadata>(Math.Min(take, 64), ListingOrderReversed.Instance);
        var now = _timeProvider.GetUtcNow().UtcTicks; // IsExpired below, with the clock read once for the whole listing
        foreach (var (id, session) in sessions)
        {
            SessionMetadata? metadata = null;
            var live = false;
            lock (session)
            {
                if (!session.Removed && now - session.LastActivityAt.UtcTicks < _ttl.Ticks)
                {
                    live = true;
                    var ticks = session.LastActivityAt.UtcTicks;
                    if ((after is not { } position || IsAfter(ticks, id, position.Item1, position.Item2)) &&
                        (first.Count < take || IsBefore(ticks, id, first.Peek())))
                    {
                        metadata = Metadata(id, session);
                    }
                }
            }

            if (!live)
            {
                sessions.TryRemove(new KeyValuePair<string, Session>(id, session));
            }
            else if (metadata is not null)
            {
                if (first.Count < take)
                {
                    first.Enqueue(metadata, metadata);
                }
                else
                {
                    first.EnqueueDequeue(metadata, metadata);
                }
            }
        }

        var page = new List<SessionMetadata>(first.Count);
        while (first.TryDequeue(out var metadata, out _))
        {
            page.Add(metadata);
        }

        page.Reverse();
        if (page.Count <= limit)
        {
            return Task.FromResult(new SessionListPage(page, null));
        }

        page.RemoveAt(limit);
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
    private static bool IsAfter(long ticks, string sessionId, long cursorTicks, string cursorSessionId) =>
        ticks < cursorTicks || (ticks == cursorTicks && string.CompareOrdinal(sessionId, cursorSessionId) < 0);

    // Whether a session comes before a listed one in the listing's order: newer activity, or the same time and a larger id.
    private static bool IsBefore(long ticks, string sessionId, SessionMetadata listed) =>
        IsAfter(listed.LastActivityAt.UtcTicks, listed.SessionId, ticks, sessionId);

    /// <summary>The listing's order reversed (oldest activity first, then the smaller id), so a heap's root is the last of a page.</summary>
    private sealed class ListingOrderReversed : IComparer<SessionMetadata>
    {
        public static readonly ListingOrderReversed Instance = new();

        public int Compare(SessionMetadata? x, SessionMetadata? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            var byTime = x.LastActivityAt.UtcTicks.CompareTo(y.LastActivityAt.UtcTicks);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.SessionId, y.SessionId);
        }
    }

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
