using Dexter.Sessions.PostgreSql;
using Dexter.Sessions.PostgreSql.Benchmarks;
using Dexter.Sessions.Redis;
using Dexter.Sessions.Redis.Benchmarks;
using Dexter.Sessions.Sqlite;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dexter.Sessions.Lifecycle.Benchmarks;

/// <summary>The stores the lifecycle benchmarks compare.</summary>
public enum StoreKind
{
    Memory,
    Sqlite,

    /// <summary>SQLite with <see cref="SqliteDurability.Normal"/>: no fsync when a transaction commits, so the difference to <see cref="Sqlite"/> is the fsync.</summary>
    SqliteNormal,
    PostgreSql,
    Redis,
}

/// <summary>
/// Makes each store with its defaults (SQLite: <see cref="SqliteDurability.Full"/>; PostgreSQL: fsync and synchronous commit on),
/// on tables or keys of its own per benchmark, so the benchmarks do not see each other's sessions.
/// </summary>
public static class LifecycleStores
{
    private static readonly string Directory = Path.Combine(Path.GetTempPath(), "dexter-lifecycle-bench-" + Environment.ProcessId);
    private static readonly Lazy<ConnectionMultiplexer> Redis = new(() => ConnectionMultiplexer.Connect(RedisHost.Endpoint + ",allowAdmin=true"));

    /// <summary>Makes a store of <paramref name="kind"/> whose tables or keys start with <paramref name="name"/>.</summary>
    public static ISessionStore Create(StoreKind kind, string name) => kind switch
    {
        StoreKind.Memory => new InMemorySessionStore(),
        StoreKind.Sqlite => new SqliteSessionStore(Options.Create(new SqliteSessionStoreOptions { Path = SqlitePath(name) })),
        StoreKind.SqliteNormal => new SqliteSessionStore(Options.Create(new SqliteSessionStoreOptions { Path = SqlitePath(name), Durability = SqliteDurability.Normal })),
        StoreKind.PostgreSql => new PostgreSqlSessionStore(Options.Create(new PostgreSqlSessionStoreOptions
        {
            ConnectionString = PostgresHost.ConnectionString,
            TablePrefix = "bench_" + name + "_",
        })),
        StoreKind.Redis => new RedisSessionStore(Redis.Value, Options.Create(new RedisSessionStoreOptions { KeyPrefix = "bench:" + name + ":" })),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Makes a second store on the same data as <see cref="Create"/> that writes faster where the store lets it (SQLite without
    /// an fsync per transaction), for filling the data set; the benchmarks themselves use <see cref="Create"/>.
    /// </summary>
    public static ISessionStore CreateLoader(StoreKind kind, string name) => kind == StoreKind.Sqlite
        ? new SqliteSessionStore(Options.Create(new SqliteSessionStoreOptions { Path = SqlitePath(name), Durability = SqliteDurability.Normal }))
        : Create(kind, name);

    /// <summary>Wraps a store in <see cref="EncryptingSessionStore"/> with an ephemeral key ring.</summary>
    public static ISessionStore Encrypt(ISessionStore store) => new EncryptingSessionStore(store, new EphemeralDataProtectionProvider());

    /// <summary>Gets the Redis connection of the Redis stores (admin commands allowed, for INFO).</summary>
    public static IConnectionMultiplexer RedisConnection => Redis.Value;

    /// <summary>Disposes a store made here.</summary>
    public static void Dispose(ISessionStore? store)
    {
        if (store is RedisSessionStore)
        {
            return; // the shared connection outlives it; the keys go with the server at the end
        }

        (store as IDisposable)?.Dispose();
    }

    /// <summary>Deletes the SQLite files of the run.</summary>
    public static void DeleteFiles()
    {
        SqliteConnection.ClearAllPools();
        if (Redis.IsValueCreated)
        {
            Redis.Value.Dispose();
        }

        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static string SqlitePath(string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Path.Combine(Directory, name + ".db");
    }
}
