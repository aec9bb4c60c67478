namespace Dexter.Sessions.Redis;

/// <summary>
/// The Lua scripts of <see cref="RedisSessionStore"/>. Each runs atomically in one round trip; KEYS[1] is the session's
/// <c>:meta</c> hash and KEYS[2] its <c>:turns</c> list, both in the same hash slot. Times are UTC ticks, TTLs milliseconds.
/// </summary>
/// <remarks>
/// The meta hash holds <c>created</c> and <c>activity</c> (UTC ticks), <c>last</c> (the last id handed out) and <c>owner</c>;
/// once the session has a rolling summary, also <c>summary</c> (its text), <c>summary_through</c> (the last turn id it covers),
/// <c>summary_at</c> (UTC ticks) and <c>summary_offset</c> (the offset of that time, in minutes).
/// Every record in the list starts with <c>{"id":N,</c>.
/// </remarks>
internal static partial class RedisScripts
{
    /// <summary>
    /// ARGV: now, ttl, record without its id (<c>{"v":…}</c>), and <c>1</c> to append only to an existing session. Returns
    /// { the new turn's id, the session's owner (nil for none) }, or { 0 } when the session had to exist and does not.
    /// </summary>
    public const string Append = """
        if ARGV[4] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return { 0 } end
        local id = redis.call('HINCRBY', KEYS[1], 'last', 1)
        redis.call('HSETNX', KEYS[1], 'created', ARGV[1])
        redis.call('HSET', KEYS[1], 'activity', ARGV[1])
        redis.call('RPUSH', KEYS[2], '{"id":' .. string.format('%d', id) .. ',' .. string.sub(ARGV[3], 2))
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        return { id, redis.call('HGET', KEYS[1], 'owner') }
        """;

    /// <summary>ARGV: now, ttl, last id, records… Replaces the turns and removes the summary. Returns how many were written.</summary>
    public const string Set = """
        redis.call('DEL', KEYS[2])
        local n = #ARGV
        for i = 4, n, 1000 do
          redis.call('RPUSH', KEYS[2], unpack(ARGV, i, math.min(i + 999, n)))
        end
        redis.call('HSETNX', KEYS[1], 'created', ARGV[1])
        redis.call('HSET', KEYS[1], 'activity', ARGV[1], 'last', ARGV[3])
        redis.call('HDEL', KEYS[1], 'summary', 'summary_through', 'summary_at', 'summary_offset')
        for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
          if string.sub(field, 1, 4) == 'key:' then redis.call('HDEL', KEYS[1], field) end
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        if n >= 4 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
        return n - 3
        """;

    /// <summary>ARGV: now, ttl, owner (optional). Returns 1 when created, 0 when the session existed (it is left alone).</summary>
    public const string Create = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'created', ARGV[1], 'activity', ARGV[1], 'last', 0)
        if ARGV[3] then redis.call('HSET', KEYS[1], 'owner', ARGV[3]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    /// <summary>Returns every record, or nil when the session does not exist.</summary>
    public const string Get = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return false end
        return redis.call('LRANGE', KEYS[2], 0, -1)
        """;

    /// <summary>ARGV: indexes. Returns the record at each index (nil where there is none).</summary>
    public const string ReadAt = """
        local out = {}
        for i = 1, #ARGV do
          out[i] = redis.call('LINDEX', KEYS[2], tonumber(ARGV[i]))
        end
        return out
        """;

    /// <summary>
    /// ARGV: now, ttl, then triples (index, expected record, new record): replaces each record that is still the expected
    /// one. Returns how many were not (changed or removed meanwhile); -1 when the session no longer exists.
    /// </summary>
    public const string ReplaceIfUnchanged = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        local missed = 0
        for i = 3, #ARGV, 3 do
          local index = tonumber(ARGV[i])
          if redis.call('LINDEX', KEYS[2], index) == ARGV[i + 1] then
            redis.call('LSET', KEYS[2], index, ARGV[i + 2])
          else
            missed = missed + 1
          end
        end
        redis.call('HSET', KEYS[1], 'activity', ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        return missed
        """;

    /// <summary>
    /// ARGV: index, expected record, new record: replaces the record at the index when it is still the expected one, leaving
    /// the expiry and last activity as they were. Returns 1 when replaced, 0 when the record changed or was removed meanwhile,
    /// -1 when the session no longer exists.
    /// </summary>
    public const string ReplaceOneIfUnchanged = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        if redis.call('LINDEX', KEYS[2], tonumber(ARGV[1])) ~= ARGV[2] then return 0 end
        redis.call('LSET', KEYS[2], tonumber(ARGV[1]), ARGV[3])
        return 1
        """;

    /// <summary>
    /// ARGV: triples (index, expected record, new record): replaces each record that is still the expected one, leaving the
    /// expiry and last activity as they were. Returns, per triple, 1 when replaced and 0 when the record changed or was removed
    /// meanwhile; nil when the session no longer exists.
    /// </summary>
    public const string ReplaceEachIfUnchanged = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return false end
        local out = {}
        for i = 1, #ARGV, 3 do
          local index = tonumber(ARGV[i])
          if redis.call('LINDEX', KEYS[2], index) == ARGV[i + 1] then
            redis.call('LSET', KEYS[2], index, ARGV[i + 2])
            out[#out + 1] = 1
          else
            out[#out + 1] = 0
          end
        end
        return out
        """;

    /// <summary>
    /// ARGV: now, ttl, expected summary_through, new summary_through, text, updated-at ticks, updated-at offset minutes. Stores
    /// the summary when the session exists and its summary covers exactly the expected turn id (0: none), refreshing the expiry
    /// of both keys. Returns 1 when stored, 0 otherwise (nothing changed).
    /// </summary>
    public const string SetSummaryIfUnchanged = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local current = tonumber(redis.call('HGET', KEYS[1], 'summary_through') or '0')
        if current ~= tonumber(ARGV[3]) then return 0 end
        redis.call('HSET', KEYS[1], 'summary', ARGV[5], 'summary_through', ARGV[4], 'summary_at', ARGV[6], 'summary_offset', ARGV[7], 'activity', ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        return 1
        """;
}
