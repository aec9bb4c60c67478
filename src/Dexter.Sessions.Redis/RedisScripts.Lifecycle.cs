namespace Dexter.Sessions.Redis;

/// <content>
/// The scripts of rewind, fork and turn keys. A turn key is a field 'key:&lt;key&gt;' of the session's metadata hash holding
/// the id of its turn, so it lives and expires with the session. Records start with {"id":N, which the scripts read.
/// </content>
internal static partial class RedisScripts
{
    // Finds the list index of the record of turn id (ids grow along the list; usually index = id - 1), or -1.
    private const string FindIndex = """
        local function record_id(r) return tonumber(string.match(r, '^{"id":(%d+)')) end
        local function find_index(id)
          local n = redis.call('LLEN', KEYS[2])
          if id >= 1 and id <= n then
            local r = redis.call('LINDEX', KEYS[2], id - 1)
            if r and record_id(r) == id then return id - 1 end
          end
          for i = n - 1, 0, -1 do
            local rid = record_id(redis.call('LINDEX', KEYS[2], i))
            if rid == id then return i end
            if rid < id then return -1 end
          end
          return -1
        end
        -- How many records, from the start, have an id of at most id.
        local function count_through(id)
          local n = redis.call('LLEN', KEYS[2])
          if n == 0 then return 0 end
          local g = math.min(id, n)
          if g >= 1 and record_id(redis.call('LINDEX', KEYS[2], g - 1)) <= id and (g == n or record_id(redis.call('LINDEX', KEYS[2], g)) > id) then
            return g
          end
          local kept = n
          while kept > 0 and record_id(redis.call('LINDEX', KEYS[2], kept - 1)) > id do kept = kept - 1 end
          return kept
        end
        """;

    /// <summary>
    /// ARGV: now, ttl, record, must exist (1/0), key. Returns, as <see cref="Append"/> does, { the new turn's id, the session's
    /// owner (nil for none) }, or { 0 } when the session had to exist; { id, false, record } when the key is taken (nothing written).
    /// </summary>
    public const string AppendKeyed = FindIndex + "\n" + """
        if ARGV[4] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return { 0 } end
        local taken = tonumber(redis.call('HGET', KEYS[1], 'key:' .. ARGV[5]) or '0')
        if taken > 0 then
          local index = find_index(taken)
          if index >= 0 then return { taken, false, redis.call('LINDEX', KEYS[2], index) } end
        end
        local id = redis.call('HINCRBY', KEYS[1], 'last', 1)
        redis.call('HSETNX', KEYS[1], 'created', ARGV[1])
        redis.call('HSET', KEYS[1], 'activity', ARGV[1], 'key:' .. ARGV[5], id)
        redis.call('RPUSH', KEYS[2], '{"id":' .. string.format('%d', id) .. ',' .. string.sub(ARGV[3], 2))
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        return { id, redis.call('HGET', KEYS[1], 'owner') }
        """;

    /// <summary>ARGV: now, key. Returns the record of the turn recorded with the key, or false.</summary>
    public const string TurnByKey = FindIndex + "\n" + """
        local taken = tonumber(redis.call('HGET', KEYS[1], 'key:' .. ARGV[2]) or '0')
        if taken == 0 then return false end
        local index = find_index(taken)
        if index < 0 then return false end
        return redis.call('LINDEX', KEYS[2], index)
        """;

    /// <summary>
    /// ARGV: now, ttl, through, expected last ('' for none). Returns {-1} not found, {0, last} conflict, {1, last, removed, owner}
    /// (the owner nil for none: the caller raises the session in its owner's index).
    /// </summary>
    public const string Rewind = FindIndex + "\n" + """
        if redis.call('EXISTS', KEYS[1]) == 0 then return { -1 } end
        local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
        if ARGV[4] ~= '' and tonumber(ARGV[4]) ~= last then return { 0, last } end
        local through = tonumber(ARGV[3])
        local n = redis.call('LLEN', KEYS[2])
        local kept = count_through(through)
        if kept == 0 then redis.call('DEL', KEYS[2]) elseif kept < n then redis.call('LTRIM', KEYS[2], 0, kept - 1) end
        if through < last then last = through end
        redis.call('HSET', KEYS[1], 'last', last, 'activity', ARGV[1])
        if tonumber(redis.call('HGET', KEYS[1], 'summary_through') or '0') > through then
          redis.call('HDEL', KEYS[1], 'summary', 'summary_through', 'summary_at', 'summary_offset')
        end
        local fields = redis.call('HGETALL', KEYS[1])
        for i = 1, #fields, 2 do
          if string.sub(fields[i], 1, 4) == 'key:' and tonumber(fields[i + 1]) > through then redis.call('HDEL', KEYS[1], fields[i]) end
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        if kept > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
        return { 1, last, n - kept, redis.call('HGET', KEYS[1], 'owner') }
        """;

    /// <summary>
    /// ARGV: through. Returns false when the session does not exist, else {owner or '', last, title or '', title source,
    /// records 1..through...}.
    /// </summary>
    public const string ForkRead = FindIndex + "\n" + """
        if redis.call('EXISTS', KEYS[1]) == 0 then return false end
        local m = redis.call('HMGET', KEYS[1], 'owner', 'last', 'title', 'title_source')
        local through = tonumber(ARGV[1])
        local out = { m[1] or '', tonumber(m[2] or '0'), m[3] or '', tonumber(m[4] or '0') }
        if through > out[2] then return out end
        local kept = count_through(through)
        if kept > 0 then
          local records = redis.call('LRANGE', KEYS[2], 0, kept - 1)
          for i = 1, #records do out[i + 4] = records[i] end
        end
        return out
        """;

    /// <summary>
    /// The new session of a fork: the <see cref="Create"/> script itself, then the copied records, the origin and the source's
    /// title. ARGV: now, ttl, owner ('' for none), through, source id, title ('' for none), title source, records... Returns 0
    /// when the session exists (nothing written), else 1; the caller adds an owned fork to its owner's index.
    /// </summary>
    public const string ForkCreate = "local function create()\n" + Create + "\nend\n" + """
        if create() == 0 then return 0 end
        if ARGV[3] == '' then redis.call('HDEL', KEYS[1], 'owner') end
        redis.call('HSET', KEYS[1], 'last', ARGV[4], 'forked_from', ARGV[5], 'forked_from_turn', ARGV[4])
        if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'title', ARGV[6], 'title_source', ARGV[7]) end
        local n = #ARGV
        for i = 8, n, 1000 do
          redis.call('RPUSH', KEYS[2], unpack(ARGV, i, math.min(i + 999, n)))
        end
        if n >= 8 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
        return 1
        """;
}
