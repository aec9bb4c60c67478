namespace Dexter.Sessions.Redis;

/// <summary>
/// The Lua scripts of the per-owner listing and of titles (<see cref="RedisSessionStore"/>). The session scripts take the session's
/// <c>:meta</c> hash and <c>:turns</c> list; the index scripts take only the owner's sorted set, which lives in a hash slot of its own,
/// so on Redis Cluster they are separate commands from the session's writes.
/// </summary>
/// <remarks>
/// The meta hash holds <c>title</c> and <c>title_source</c> (0 none, 1 the first question, 2 the model, 3 the owner) once the session
/// has a title. The owner's sorted set has one member per session id, scored by the session's last activity in milliseconds.
/// </remarks>
internal static class RedisConversationScripts
{
    /// <summary>
    /// Returns { created, activity, owner, turn count, title, title source, forked from, forked from turn }, or nil when the session
    /// does not exist.
    /// </summary>
    public const string Metadata = """
        local m = redis.call('HMGET', KEYS[1], 'created', 'activity', 'owner', 'title', 'title_source', 'forked_from', 'forked_from_turn')
        if not m[1] then return false end
        return { m[1], m[2], m[3], redis.call('LLEN', KEYS[2]), m[4], m[5], m[6], m[7] }
        """;

    /// <summary>
    /// ARGV: title, source. Stores the title of an existing session when the source is the owner's (3) or higher than the stored one.
    /// Leaves the expiry and last activity alone. Returns 1 when stored, 0 otherwise.
    /// </summary>
    public const string SetTitle = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local source = tonumber(ARGV[2])
        local current = tonumber(redis.call('HGET', KEYS[1], 'title_source') or '0')
        if source ~= 3 and current >= source then return 0 end
        redis.call('HSET', KEYS[1], 'title', ARGV[1], 'title_source', ARGV[2])
        return 1
        """;

    /// <summary>
    /// KEYS[1]: the owner's sorted set. ARGV: score (milliseconds), session id, ttl. Raises the session's score (never lowers it, so
    /// writes that arrive out of order keep the latest) and keeps the set as long as its latest session.
    /// </summary>
    public const string Touch = """
        redis.call('ZADD', KEYS[1], 'GT', ARGV[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """;

    /// <summary>
    /// KEYS[1]: the owner's sorted set. ARGV: pairs (session id, score read). Removes each entry that still has the score it was
    /// read with (a session written meanwhile keeps its new one).
    /// </summary>
    public const string RemoveStale = """
        local removed = 0
        for i = 1, #ARGV, 2 do
          local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
          if score and tonumber(score) == tonumber(ARGV[i + 1]) then
            removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
          end
        end
        return removed
        """;
}
