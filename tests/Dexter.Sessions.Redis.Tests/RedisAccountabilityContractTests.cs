using Dexter.Sessions.Redis.Tests.Infrastructure;
using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Redis.Tests;

/// <summary>Audit trails and export/import against a real redis-server started for this fixture.</summary>
[TestFixture]
public sealed class RedisAccountabilityContractTests : SessionAccountabilityContractTests
{
    private RedisServer _server = null!;
    private string? _keyPrefix;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [SetUp]
    public void NewKeyPrefix() => _keyPrefix = null;

    protected override Task<ISessionStore> CreateStoreAsync()
    {
        var options = RedisStores.Options(_server.Endpoint);
        _keyPrefix ??= options.KeyPrefix;
        options.KeyPrefix = _keyPrefix;
        return Task.FromResult<ISessionStore>(new RedisSessionStore(Microsoft.Extensions.Options.Options.Create(options), Clock));
    }

    protected override async Task AdvanceTimeAsync(TimeSpan time)
    {
        await base.AdvanceTimeAsync(time);
        await RedisClock.AdvanceAsync(_server.Endpoint, _keyPrefix!, time);
    }
}
