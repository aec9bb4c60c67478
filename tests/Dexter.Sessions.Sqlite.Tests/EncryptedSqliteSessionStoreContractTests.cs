using Dexter.Sessions.Testing;
using Microsoft.AspNetCore.DataProtection;

namespace Dexter.Sessions.Sqlite.Tests;

/// <summary>The store contract through encryption at rest over SQLite.</summary>
[TestFixture]
public sealed class EncryptedSqliteSessionStoreContractTests : SessionStoreContractTests
{
#pragma warning disable NUnit1032 // Deleted in DisposeStoreAsync, after the store is closed.
    private TemporaryDatabase _database = null!;
#pragma warning restore NUnit1032

    protected override int AppendsPerTask => 100;

    protected override Task<ISessionStore> CreateStoreAsync()
    {
        _database = new TemporaryDatabase();
        return Task.FromResult<ISessionStore>(new EncryptingSessionStore(
            _database.Store(Clock, o => o.SessionTtl = SessionTtl), new EphemeralDataProtectionProvider(), EncryptionAtRestSecrets.ContractOptions(), disposeInner: true));
    }

    protected override async ValueTask DisposeStoreAsync(ISessionStore store)
    {
        await base.DisposeStoreAsync(store);
        _database.Dispose();
    }
}
