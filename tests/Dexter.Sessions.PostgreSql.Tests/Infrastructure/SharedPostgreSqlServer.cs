using Dexter.Sessions.Testing;

namespace Dexter.Sessions.PostgreSql.Tests;

/// <summary>One PostgreSQL server for the tests that do not stop or kill it; started before the first, removed after the last.</summary>
[SetUpFixture]
public sealed class SharedPostgreSqlServer
{
    private static PostgreSqlServer? _server;

    /// <summary>Gets the running server.</summary>
    public static PostgreSqlServer Server => _server ?? throw new InvalidOperationException("The shared PostgreSQL server is not started.");

    [OneTimeSetUp]
    public async Task StartServer() => _server = await PostgreSqlServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
