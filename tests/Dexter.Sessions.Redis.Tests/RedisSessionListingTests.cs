using Dexter.Sessions.Redis.Tests.Infrastructure;
using Dexter.Sessions.Testing;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Tests;

/// <summary>The per-owner sorted set behind the Redis store's listing, as Redis holds it.</summary>
[TestFixture]
public sealed class RedisSessionListingTests
{
    private RedisServer _server = null!;
    private ConnectionMultiplexer _connection = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _connection.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task Listing_DropsTheEntriesOfDeletedSessions_AndKeepsTheOwnerOutOfTheKeyName()
    {
        var options = RedisStores.Options(_server.Endpoint);
        await using var store = new RedisSessionStore(Microsoft.Extensions.Options.Options.Create(options));
        const string owner = "alice@example.com";
        var kept = SessionId.New();
        var deleted = SessionId.New();
        await store.CreateAsync(kept, owner);
        await store.CreateAsync(deleted, owner);
        await store.AppendAsync(kept, new Message { Query = "q", Answer = "a" });
        var keys = new List<string>();
        await foreach (var key in _connection.GetServer(_server.Endpoint).KeysAsync(pattern: options.KeyPrefix + "owner:*"))
        {
            keys.Add(key!);
        }

        var ownerKey = keys.Single();
        var before = await _connection.GetDatabase().SortedSetLengthAsync(ownerKey);
        await store.DeleteAsync(deleted);

        var page = await store.ListSessionsAsync(owner);
        var after = await _connection.GetDatabase().SortedSetRangeByRankAsync(ownerKey);

        Assert.Multiple(async () =>
        {
            Assert.That(ownerKey, Does.Not.Contain(owner));
            Assert.That(before, Is.EqualTo(2));
            Assert.That(page.Sessions.Select(s => s.SessionId), Is.EqualTo(new[] { kept }));
            Assert.That(after.Select(v => (string?)v), Is.EqualTo(new[] { kept }), "the deleted session's entry was dropped");
            Assert.That(await _connection.GetDatabase().KeyTimeToLiveAsync(ownerKey), Is.Not.Null, "the set expires with its sessions");
        });
    }
    [Test]
    public async Task Listing_ReadsTheMetadataOfOnlyTheSessionsThePageNeeds()
    {
        await using var store = new RedisSessionStore(Microsoft.Extensions.Options.Options.Create(RedisStores.Options(_server.Endpoint)));
        const string owner = "bob";
        var sessions = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var id = SessionId.New();
            await store.CreateAsync(id, owner);
            sessions.Add(id);
        }

        var first = await store.ListSessionsAsync(owner, limit: 5);
        var (second, secondScripts) = await CountScriptsAsync(() => store.ListSessionsAsync(owner, limit: 5, first.NextCursor));
        var all = new List<string>(first.Sessions.Select(s => s.SessionId).Concat(second.Sessions.Select(s => s.SessionId)));
        var next = second.NextCursor;
        var (page, pages) = (second, 0);
        while (next is not null)
        {
            page = await store.ListSessionsAsync(owner, limit: 5, next);
            all.AddRange(page.Sessions.Select(s => s.SessionId));
            next = page.NextCursor;
            pages++;
        }

        // Two sessions that the next page of a fresh walk would show are deleted: their entries are read, found stale and dropped.
        var third = (await store.ListSessionsAsync(owner, limit: 5, second.NextCursor)).Sessions.Select(s => s.SessionId).ToArray();
        await store.DeleteAsync(third[0]);
        await store.DeleteAsync(third[2]);
        var (afterDeletes, afterDeletesScripts) = await CountScriptsAsync(() => store.ListSessionsAsync(owner, limit: 5, second.NextCursor));

        Assert.Multiple(() =>
        {
            Assert.That(all, Is.EquivalentTo(sessions), "the walk returned every session once");
            Assert.That(pages, Is.EqualTo(4));
            Assert.That(secondScripts, Is.EqualTo(6), "a page of 5 reads 6 sessions' metadata (the sixth tells that there is a next page)");
            Assert.That(afterDeletes.Sessions.Select(s => s.SessionId), Has.No.Member(third[0]).And.No.Member(third[2]));
            Assert.That(afterDeletes.Sessions, Has.Count.EqualTo(5));
            Assert.That(afterDeletesScripts, Is.EqualTo(6 + 2 + 1), "two stale entries are read in place of sessions, then dropped by one script");
        });
    }

    private async Task<(T Result, long Scripts)> CountScriptsAsync<T>(Func<Task<T>> operation)
    {
        var before = await ScriptCallsAsync();
        var result = await operation();
        return (result, await ScriptCallsAsync() - before);
    }

    // The EVAL and EVALSHA calls redis-server has run, from INFO commandstats.
    private async Task<long> ScriptCallsAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint + ",allowAdmin=true");
        var info = await admin.GetServer(_server.Endpoint).InfoAsync("commandstats");
        return info.SelectMany(g => g)
            .Where(e => e.Key is "cmdstat_eval" or "cmdstat_evalsha")
            .Sum(e => long.Parse(e.Value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
