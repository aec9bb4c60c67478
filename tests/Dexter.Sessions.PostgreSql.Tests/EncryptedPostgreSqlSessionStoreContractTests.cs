using Dexter.Sessions.Testing;
using Microsoft.AspNetCore.DataProtection;

namespace Dexter.Sessions.PostgreSql.Tests;

/// <summary>The store contract through encryption at rest, against a real PostgreSQL server.</summary>
[TestFixture]
public sealed class EncryptedPostgreSqlSessionStoreContractTests : SessionStoreContractTests
{
    protected override int AppendsPerTask => 100;

    protected override Task<ISessionStore> CreateStoreAsync() =>
        Task.FromResult<ISessionStore>(new EncryptingSessionStore(
            PostgreSqlStores.Create(SharedPostgreSqlServer.Server.ConnectionString, Clock),
            new EphemeralDataProtectionProvider(),
            disposeInner: true));
}
