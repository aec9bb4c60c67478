using Dexter.Sessions.Redis.Tests.Infrastructure;
using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Redis.Tests;

/// <summary>The store contract, against a real redis-server started for this fixture.</summary>
[TestFixture]
public sealed class RedisSessionStoreContractTests : SessionStoreContractTests
{
    private RedisServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private string _keyPrefix = null!;

    protected override Task<ISessionStore> CreateStoreAsync()
    {
        var options = RedisStores.Options(_server.Endpoint, o => o.SessionTtl = SessionTtl);
        _keyPrefix = options.KeyPrefix;
        return Task.FromResult<ISessionStore>(new RedisSessionStore(Microsoft.Extensions.Options.Options.Create(options), Clock));
    }

    protected override async Task AdvanceTimeAsync(TimeSpan time)
    {
        await base.AdvanceTimeAsync(time);
        await RedisClock.AdvanceAsync(_server.Endpoint, _keyPrefix, time);
    }
}
