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
}
