using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Sqlite.Tests;

[TestFixture]
public sealed class SqliteSessionStoreContractTests : SessionStoreContractTests
{
#pragma warning disable NUnit1032 // Deleted in DisposeStoreAsync, after the store is closed (a [TearDown] here would run before the base class's).
    private TemporaryDatabase _database = null!;
#pragma warning restore NUnit1032

    protected override Task<ISessionStore> CreateStoreAsync()
    {
        _database = new TemporaryDatabase();
        return Task.FromResult<ISessionStore>(_database.Store(Clock, o => o.SessionTtl = SessionTtl));
    }

    protected override async ValueTask DisposeStoreAsync(ISessionStore store)
    {
        await base.DisposeStoreAsync(store);
        _database.Dispose();
    }
}
