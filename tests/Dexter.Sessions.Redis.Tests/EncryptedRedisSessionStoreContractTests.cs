using Dexter.Sessions.Redis.Tests.Infrastructure;
using Dexter.Sessions.Testing;
using Microsoft.AspNetCore.DataProtection;

namespace Dexter.Sessions.Redis.Tests;

/// <summary>The store contract through encryption at rest, against a real redis-server started for this fixture.</summary>
[TestFixture]
public sealed class EncryptedRedisSessionStoreContractTests : RedisContractTests
{
    private RedisServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await RedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    protected override string Configuration => _server.Endpoint;

    protected override int AppendsPerTask => 100;

    protected override async Task<ISessionStore> CreateStoreAsync() =>
        new EncryptingSessionStore(await base.CreateStoreAsync(), new EphemeralDataProtectionProvider(), EncryptionAtRestSecrets.ContractOptions(), disposeInner: true);
}
