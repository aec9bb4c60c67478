namespace Dexter.Sessions;

/// <summary>
/// The turns of the sessions queried lately, kept in process so that a selector that ranks a whole session
/// (<see cref="MessageSelectionContext.WholeSession"/>) does not read the whole history on every query: each query reads the
/// latest turns, checks that they continue what is held (the held last turn is among them, unchanged), and reads only the turns
/// appended since. A turn another instance appended is read by the next query; a session deleted, cleared or rewound (its held
/// last turn is gone or different) is read again whole. Bounded by a total number of turns; the sessions used least recently
/// leave first. Thread-safe.
/// </summary>
internal sealed class SessionTurnCache
{
    /// <summary>The default bound: the turns of all sessions held together.</summary>
    public const int DefaultMaxTurns = 100_000;

    private readonly BoundedSessionCache<Turns> _sessions;

    /// <summary>Initializes a cache.</summary>
    /// <param name="maxTurns">The most turns held for all sessions together.</param>
    public SessionTurnCache(int maxTurns = DefaultMaxTurns) => _sessions = new BoundedSessionCache<Turns>(maxTurns);

    /// <summary>Gets the number of turns held for all sessions together.</summary>
    public long HeldTurns => _sessions.TotalWeight;

    /// <summary>Returns every turn of a session, in order, reading from the store only what the cache does not hold yet.</summary>
    /// <param name="store">The store.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="probe">How many of the latest turns every query reads (at least 2); more when more were appended since.</param>
    /// <param name="cancellationToken">A token to cancel the reads.</param>
    /// <returns>The turns, oldest first; none when the session does not exist or has no turn.</returns>
    public async Task<IReadOnlyList<Message>> GetAllAsync(ISessionStore store, string sessionId, int probe, CancellationToken cancellationToken)
    {
        probe = Math.Max(probe, 2);
        var recent = await store.GetRecentAsync(sessionId, probe, cancellationToken).ConfigureAwait(false);
        if (recent.Count == 0)
        {
            _sessions.Remove(sessionId);
            return [];
        }

        var held = _sessions.Get(sessionId);
        if (held is not null)
        {
            var lastHeld = held.LastId;
            if (recent[0].Id > lastHeld && recent[^1].Id > lastHeld)
            {
                // More turns were appended than the probe holds: read back to the last turn held.
                var count = (long)recent[^1].Id - lastHeld + 1;
                if (count <= int.MaxValue)
                {
                    recent = await store.GetRecentAsync(sessionId, (int)count, cancellationToken).ConfigureAwait(false);
                }
            }

            if (held.TryExtend(recent) is { } extended)
            {
                _sessions.UpdateWeight(sessionId, held, extended.Count);
                return extended;
            }
        }

        var all = recent.Count < probe ? recent : await store.GetRecentAsync(sessionId, int.MaxValue, cancellationToken).ConfigureAwait(false);
        if (all.Count == 0)
        {
            _sessions.Remove(sessionId);
            return [];
        }

        var turns = new Turns(all);
        _sessions.Set(sessionId, turns, all.Count);
        return turns.Snapshot();
    }

    /// <summary>Adds a turn this process recorded, when it continues what is held; otherwise the next query reads it.</summary>
    public void Recorded(string sessionId, Message turn)
    {
        if (_sessions.Get(sessionId) is { } held && held.TryAppend(turn) is { } count)
        {
            _sessions.UpdateWeight(sessionId, held, count);
        }
    }

    /// <summary>Replaces held turns by newer versions of them (a vector or summary written after the turn was recorded).</summary>
    public void Updated(string sessionId, IReadOnlyList<Message> turns) => _sessions.Get(sessionId)?.Replace(turns);

    /// <summary>Drops what is held for a session.</summary>
    public void Forget(string sessionId) => _sessions.Remove(sessionId);

    /// <summary>One session's turns: an array that only grows at its end, so a snapshot (the array and a count) stays valid.</summary>
    private sealed class Turns
    {
        private Message[] _items;
        private int _count;

        public Turns(IReadOnlyList<Message> turns)
        {
            _items = new Message[Math.Max(4, turns.Count + (turns.Count / 4))];
            for (var i = 0; i < turns.Count; i++)
            {
                _items[i] = turns[i];
            }

            _count = turns.Count;
        }

        public int LastId
        {
            get
            {
                lock (this)
                {
                    return _items[_count - 1].Id;
                }
            }
        }

        public IReadOnlyList<Message> Snapshot()
        {
            lock (this)
            {
                return new ArraySegment<Message>(_items, 0, _count);
            }
        }

        /// <summary>
        /// Adds the turns of <paramref name="recent"/> after the last turn held, when <paramref name="recent"/> holds that last turn
        /// unchanged; returns the turns then, or <see langword="null"/> when what is held is not a prefix of the session any more.
        /// </summary>
        public IReadOnlyList<Message>? TryExtend(IReadOnlyList<Message> recent)
        {
            lock (this)
            {
                var last = _items[_count - 1];
                var overlap = -1;
                for (var i = recent.Count - 1; i >= 0; i--)
                {
                    if (recent[i].Id <= last.Id)
                    {
                        overlap = i;
                        break;
                    }
                }

                if (overlap < 0 || recent[overlap].Id != last.Id)
                {
                    return null;
                }

                // Every turn the read shares with what is held must be the same turn, not only the last: a turn recorded here
                // after the session was deleted (or replaced) and started again elsewhere would otherwise stand on turns that are gone.
                for (var i = 0; i <= overlap; i++)
                {
                    var index = IndexOf(recent[i].Id);
                    if (index < 0 || _items[index].CreatedAt != recent[i].CreatedAt ||
                        !string.Equals(_items[index].Query, recent[i].Query, StringComparison.Ordinal))
                    {
                        return null;
                    }
                }

                for (var i = overlap + 1; i < recent.Count; i++)
                {
                    AppendLocked(recent[i]);
                }

                return new ArraySegment<Message>(_items, 0, _count);
            }
        }

        public int? TryAppend(Message turn)
        {
            lock (this)
            {
                if (turn.Id != _items[_count - 1].Id + 1)
                {
                    return null;
                }

                AppendLocked(turn);
                return _count;
            }
        }

        public void Replace(IReadOnlyList<Message> turns)
        {
            lock (this)
            {
                foreach (var turn in turns)
                {
                    var index = IndexOf(turn.Id);
                    if (index >= 0 && _items[index].CreatedAt == turn.CreatedAt)
                    {
                        _items[index] = turn;
                    }
                }
            }
        }

        private int IndexOf(int id)
        {
            int low = 0, high = _count - 1;
            while (low <= high)
            {
                var middle = low + ((high - low) / 2);
                var found = _items[middle].Id;
                if (found == id)
                {
                    return middle;
                }

                if (found < id)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return -1;
        }

        private void AppendLocked(Message turn)
        {
            if (_count == _items.Length)
            {
                // A new array: snapshots handed out keep the old one, which is never written past their count.
                Array.Resize(ref _items, _items.Length * 2);
            }

            _items[_count++] = turn;
        }
    }
}
