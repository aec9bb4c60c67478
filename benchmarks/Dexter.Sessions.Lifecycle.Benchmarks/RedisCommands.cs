using System.Globalization;
using Dexter.Sessions.Redis.Benchmarks;

namespace Dexter.Sessions.Lifecycle.Benchmarks;

/// <summary>Counts the commands redis-server ran for an operation, from <c>INFO commandstats</c> before and after it.</summary>
public static class RedisCommands
{
    /// <summary>
    /// Runs <paramref name="operation"/> once; for Redis, returns the commands the server ran meanwhile, such as
    /// <c>1 Redis command (evalsha)</c>; for other stores, <c>1 store call</c>.
    /// </summary>
    public static async Task<string> CountAsync(StoreKind store, Func<Task> operation)
    {
        if (store != StoreKind.Redis)
        {
            await operation();
            return "1 store call";
        }

        var server = LifecycleStores.RedisConnection.GetServer(RedisHost.Endpoint);
        var before = await ReadAsync(server);
        await operation();
        var after = await ReadAsync(server);
        var ran = after
            .Select(a => (Command: a.Key, Calls: a.Value - before.GetValueOrDefault(a.Key)))
            .Where(c => c.Calls > 0 && c.Command != "info")
            .OrderBy(c => c.Command, StringComparer.Ordinal)
            .ToList();
        var total = ran.Sum(c => c.Calls);
        return string.Create(CultureInfo.InvariantCulture,
            $"1 store call, {total} Redis command{(total == 1 ? string.Empty : "s")} ({string.Join(", ", ran.Select(c => c.Calls == 1 ? c.Command : $"{c.Command} ×{c.Calls}"))})");
    }

    private static async Task<Dictionary<string, long>> ReadAsync(StackExchange.Redis.IServer server)
    {
        var info = await server.InfoAsync("commandstats");
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in info.SelectMany(g => g))
        {
            // cmdstat_evalsha: calls=12,usec=...
            var command = entry.Key.StartsWith("cmdstat_", StringComparison.Ordinal) ? entry.Key["cmdstat_".Length..] : entry.Key;
            var field = entry.Value.Split(',').FirstOrDefault(f => f.StartsWith("calls=", StringComparison.Ordinal));
            if (field is not null)
            {
                calls[command] = long.Parse(field["calls=".Length..], CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }
}
