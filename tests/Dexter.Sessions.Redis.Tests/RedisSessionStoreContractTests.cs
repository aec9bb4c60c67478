using Dexter.Sessions.Redis.Tests.Infrastructure;
using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Redis.Tests;

/// <summary>The store contract, against a real redis-server started for this fixture.</summary>
[TestFixture]
public sealed class RedisSessionStoreContractTests : RedisContractTests
{
    private RedisServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    protected override string Configuration => _server.Endpoint;
}
