namespace Dexter.Sessions.Redis;

/// <content>The scripts of touching a session and of recording where a session was forked from.</content>
internal static partial class RedisScripts
{
    /// <summary>
    /// ARGV: now, ttl. Refreshes an existing session as every write does (its activity and the expiry of both keys), changing
    /// nothing else. Returns 1, or 0 when the session does not exist.
    /// </summary>
    public const string Touch = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'activity', ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[2])
        return 1
        """;

    /// <summary>
    /// ARGV: the session it was forked from, the last turn copied. Records the origin of an existing session, leaving its expiry
    /// and activity as they were. Returns 1, or 0 when the session does not exist.
    /// </summary>
    public const string SetForkOrigin = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], 'forked_from', ARGV[1], 'forked_from_turn', ARGV[2])
        return 1
        """;
}
