using System.Security.Cryptography;
using System.Text;
using Dexter.Sessions.Shared;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis;

/// <summary>Listing an owner's sessions and titling sessions.</summary>
/// <remarks>
/// <para>Each owner has a sorted set, <c>{prefix}owner:{&lt;SHA-256 of the owner&gt;}</c>, of its session ids scored by last
/// activity in milliseconds. It lives in its own hash slot, so it is kept by separate commands: every write that refreshes a
/// session (create, append, set, rolling summary, embeddings) reads the session's owner in the same pipeline and, for an owned
/// session, raises its score (<c>ZADD GT</c>) and the set's expiry. A listing reads the set newest first and then each
/// session's metadata: an entry whose session expired, was deleted, or now belongs to another owner is dropped from the set and
/// never returned.</para>
/// <para>The cursor is the score and id of the last session of a page; sessions with the same score are ordered by id.</para>
/// </remarks>
public sealed partial class RedisSessionStore
{
    /// <inheritdoc />
    public async Task<SessionListPage> ListSessionsAsync(string owner, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidList(owner, limit);
        var after = cursor is null ? ((long Position, string SessionId)?)null : SessionListCursor.Decode(cursor, nameof(cursor));
        cancellationToken.ThrowIfCancellationRequested();
        var ownerKey = OwnerKey(owner);
        var page = new List<(long Score, SessionMetadata Session)>(limit + 1);
        var stale = new List<RedisValue>();

        // Index entries are small, so they are fetched a page ahead (entries that share the cursor's score and were listed
        // already are skipped without another round trip); metadata is read only for as many entries as the page still needs,
        // all of them in one pipelined round trip, and again only for the ones that turned out stale.
        var batch = Math.Min(2 * (limit + 1), 200);
        var pending = new Queue<SortedSetEntry>();
        try
        {
            var database = await GetDatabaseAsync(sessionId: null).ConfigureAwait(false);
            var skip = 0;
            var exhausted = false;
            while (page.Count <= limit)
            {
                if (pending.Count == 0)
                {
                    if (exhausted)
                    {
                        break;
                    }

                    var entries = await database.SortedSetRangeByScoreWithScoresAsync(
                        ownerKey, start: double.NegativeInfinity, stop: after is { } a ? a.Position : double.PositiveInfinity, order: Order.Descending, skip: skip, take: batch)
                        .WaitAsync(cancellationToken).ConfigureAwait(false);
                    skip += entries.Length;
                    exhausted = entries.Length < batch;
                    foreach (var entry in entries)
                    {
                        if (after is not { } c || (long)entry.Score < c.Position || string.CompareOrdinal((string)entry.Element!, c.SessionId) < 0)
                        {
                            pending.Enqueue(entry);
                        }
                    }

                    continue;
                }

                var candidates = new SortedSetEntry[Math.Min(limit + 1 - page.Count, pending.Count)];
                for (var i = 0; i < candidates.Length; i++)
                {
                    candidates[i] = pending.Dequeue();
                }

                var reads = candidates.Select(e => ReadListedAsync(database, (string)e.Element!)).ToArray();
                await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < candidates.Length; i++)
                {
                    var metadata = reads[i].Result;
                    if (metadata is null || !string.Equals(metadata.Owner, owner, StringComparison.Ordinal))
                    {
                        stale.Add(candidates[i].Element);
                        stale.Add(candidates[i].Score);
                        continue;
                    }

                    page.Add(((long)candidates[i].Score, metadata));
                }
            }

            if (stale.Count > 0)
            {
                await database.ScriptEvaluateAsync(RedisConversationScripts.RemoveStale, [ownerKey], [.. stale]).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId: null);
        }

        if (page.Count <= limit)
        {
            return new SessionListPage(page.Select(p => p.Session).ToArray(), null);
        }

        var last = page[limit - 1];
        return new SessionListPage(page.Take(limit).Select(p => p.Session).ToArray(), SessionListCursor.Encode(last.Score, last.Session.SessionId));
    }

    /// <inheritdoc />
    /// <remarks>One Lua script on the session's meta hash: it compares the title's source and stores, leaving the expiry alone.</remarks>
    public async Task<bool> SetTitleAsync(string sessionId, string title, SessionTitleSource source = SessionTitleSource.Owner, CancellationToken cancellationToken = default)
    {
        var stored = SessionStoreArguments.ThrowIfInvalidTitle(sessionId, title, source);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var database = await GetDatabaseAsync(sessionId).ConfigureAwait(false);
            return (long)await database.ScriptEvaluateAsync(RedisConversationScripts.SetTitle, [MetaKey(sessionId)], [stored, (int)source]).ConfigureAwait(false) == 1;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw Translate(e, sessionId);
        }
    }

    /// <summary>
    /// Runs a write that refreshes a session (its activity becomes <paramref name="now"/>), reading the session's owner in the same
    /// pipeline, then raises the session in its owner's index when it has one.
    /// </summary>
    private async Task<RedisResult> WriteAndIndexAsync(IDatabase database, string sessionId, long now, Task<RedisResult> write)
    {
        var owner = database.HashGetAsync(MetaKey(sessionId), "owner");
        await Task.WhenAll(write, owner).ConfigureAwait(false);
        if (!owner.Result.IsNull)
        {
            await IndexAsync(database, owner.Result!, sessionId, now).ConfigureAwait(false);
        }

        return write.Result;
    }

    /// <summary>Raises a session to <paramref name="now"/> in its owner's index.</summary>
    private Task<RedisResult> IndexAsync(IDatabase database, string owner, string sessionId, long now) =>
        database.ScriptEvaluateAsync(RedisConversationScripts.Touch, [OwnerKey(owner)], [now / TimeSpan.TicksPerMillisecond, sessionId, _ttlMilliseconds]);

    private async Task<SessionMetadata?> ReadListedAsync(IDatabase database, string sessionId) =>
        SessionId.IsValid(sessionId)
            ? ReadMetadata(sessionId, await database.ScriptEvaluateAsync(RedisConversationScripts.Metadata, Keys(sessionId)).ConfigureAwait(false))
            : null;

    /// <summary>Reads the reply of <see cref="RedisConversationScripts.Metadata"/>.</summary>
    private SessionMetadata? ReadMetadata(string sessionId, RedisResult result)
    {
        if (result.IsNull)
        {
            return null;
        }

        var fields = (RedisValue[])result!;
        if (fields.Length != 8 || !TryReadTime(fields[0], out var createdAt) || !TryReadTime(fields[1], out var lastActivityAt) ||
            !fields[3].TryParse(out int turnCount))
        {
            throw Corrupt(sessionId, "its metadata hash does not hold valid 'created' and 'activity' times", cause: null);
        }

        var source = SessionTitleSource.None;
        if (!fields[5].IsNull && (!fields[5].TryParse(out int number) || !Enum.IsDefined((SessionTitleSource)number) || (source = (SessionTitleSource)number) == SessionTitleSource.None))
        {
            throw Corrupt(sessionId, "its metadata hash does not hold a valid 'title_source'", cause: null);
        }

        return new SessionMetadata(sessionId, createdAt, lastActivityAt, turnCount, fields[2].IsNull ? null : (string?)fields[2])
        {
            Title = fields[4].IsNull ? null : (string?)fields[4],
            TitleSource = source,
            ForkedFromSessionId = fields[6].IsNull ? null : (string?)fields[6],
            ForkedFromTurnId = !fields[7].IsNull && fields[7].TryParse(out int forkedFromTurnId) ? forkedFromTurnId : null,
        };
    }

    private RedisKey OwnerKey(string owner) =>
        _keyPrefix[..^1] + "owner:{" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(owner))).ToLowerInvariant() + "}";
}
