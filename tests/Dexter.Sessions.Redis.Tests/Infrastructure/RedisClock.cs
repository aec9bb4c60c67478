using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Tests.Infrastructure;

/// <summary>
/// Makes time pass for keys on a real Redis server: every key under a prefix loses that much of its time to live (a key whose
/// time runs out is deleted, as Redis would expire it), on every master of a cluster.
/// </summary>
internal static class RedisClock
{
    public static async Task AdvanceAsync(string configuration, string keyPrefix, TimeSpan time)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        foreach (var server in connection.GetServers().Where(s => !s.IsReplica))
        {
            var database = connection.GetDatabase();
            await foreach (var key in server.KeysAsync(pattern: keyPrefix + "*"))
            {
                var left = await database.KeyTimeToLiveAsync(key);
                if (left is null)
                {
                    continue; // no expiry: time does not touch it
                }

                if (left.Value <= time)
                {
                    await database.KeyDeleteAsync(key);
                }
                else
                {
                    await database.KeyExpireAsync(key, left.Value - time);
                }
            }
        }
    }
}
