using Dexter.Sessions.Redis.Tests.Infrastructure;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Tests;

/// <summary>The store contract against a local three-master Redis Cluster (eng/redis-cluster.sh).</summary>
[TestFixture]
public sealed class RedisClusterSessionStoreContractTests : RedisContractTests
{
    private RedisCluster _cluster = null!;

    [OneTimeSetUp]
    public async Task StartCluster() => _cluster = await RedisCluster.StartAsync();

    [OneTimeTearDown]
    public async Task StopCluster() => await _cluster.DisposeAsync();

    protected override string Configuration => _cluster.Configuration;

    [Test]
    public async Task Sessions_AreSpreadOverTheNodes_AndEachSessionKeepsItsKeysInOneSlot()
    {
        var options = RedisStores.Options(_cluster.Configuration);
        await using var store = new RedisSessionStore(Microsoft.Extensions.Options.Options.Create(options));
        var ids = Enumerable.Range(0, 30).Select(_ => SessionId.New()).ToArray();
        foreach (var id in ids)
        {
            await store.AppendAsync(id, new Message { Query = "q", Answer = "a" });
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_cluster.Configuration);
        var nodes = new HashSet<string>();
        foreach (var id in ids)
        {
            var meta = (RedisKey)(options.KeyPrefix + "{" + id + "}:meta");
            var turns = (RedisKey)(options.KeyPrefix + "{" + id + "}:turns");
            Assert.That(redis.HashSlot(meta), Is.EqualTo(redis.HashSlot(turns)));
            nodes.Add(redis.GetDatabase().IdentifyEndpoint(meta)!.ToString()!);
        }

        Assert.That(nodes, Has.Count.GreaterThan(1), "sessions live on several masters");
    }
}
