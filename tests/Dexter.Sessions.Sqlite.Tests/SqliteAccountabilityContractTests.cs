using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Sqlite.Tests;

[TestFixture]
public sealed class SqliteAccountabilityContractTests : SessionAccountabilityContractTests
{
    private readonly List<TemporaryDatabase> _databases = [];

    protected override Task<ISessionStore> CreateStoreAsync()
    {
        var database = new TemporaryDatabase();
        _databases.Add(database);
        return Task.FromResult<ISessionStore>(database.Store(Clock));
    }

    [TearDown]
    public void DeleteDatabases()
    {
        // NUnit runs this before the base class closes the stores; a deleted file stays readable until then, and pools are cleared.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var database in _databases)
        {
            database.Dispose();
        }

        _databases.Clear();
    }
}
