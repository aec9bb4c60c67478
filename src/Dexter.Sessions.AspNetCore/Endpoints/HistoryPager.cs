namespace Dexter.Sessions.AspNetCore;

/// <summary>
/// Reads one page of <c>GET /history</c>: the latest <c>limit</c> turns, or the <c>limit</c> turns before the turn id
/// <c>before</c>, oldest first. Reads go through <see cref="ISessionStore.GetRecentAsync"/>, so the newest pages cost the
/// same however long the session; the whole history is read only when turn ids have gaps the recent read cannot cover.
/// </summary>
internal sealed class HistoryPager(ISessionStore store)
{
    public async Task<HistoryPage> ReadAsync(string sessionId, int limit, int? before, CancellationToken cancellationToken)
    {
        var total = (await store.GetMetadataAsync(sessionId, cancellationToken).ConfigureAwait(false))?.TurnCount ?? 0;
        if (total == 0 || before is <= 1)
        {
            return new HistoryPage([], total, NextBefore: null);
        }

        // Turn ids count up from 1, so the turns before `before` end (before - 1) turns into the session: read from there.
        var wanted = before is { } id ? Math.Max(total - (id - 1), 0) + limit : limit;
        var recent = await store.GetRecentAsync(sessionId, Math.Min(wanted, total), cancellationToken).ConfigureAwait(false);
        var readAll = recent.Count >= total;
        var candidates = before is { } cursor ? recent.Where(m => m.Id < cursor).ToList() : [.. recent];
        if (candidates.Count < limit && !readAll)
        {
            var history = await store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false);
            var all = history?.GetAll() ?? [];
            candidates = before is { } cursor2 ? all.Where(m => m.Id < cursor2).ToList() : [.. all];
            readAll = true;
        }

        var start = Math.Max(candidates.Count - limit, 0);
        var page = candidates.GetRange(start, candidates.Count - start);
        var hasOlder = start > 0 || (!readAll && page.Count > 0);
        return new HistoryPage(page, total, hasOlder ? page[0].Id : null);
    }
}

/// <summary>One page of turns, oldest first, the session's turn count, and the <c>before</c> of the next older page.</summary>
internal sealed record HistoryPage(IReadOnlyList<Message> Messages, int Total, int? NextBefore);
