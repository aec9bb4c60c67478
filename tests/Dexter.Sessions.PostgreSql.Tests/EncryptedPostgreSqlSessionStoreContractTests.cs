using Dexter.Sessions.Testing;
using Microsoft.AspNetCore.DataProtection;

namespace Dexter.Sessions.PostgreSql.Tests;

/// <summary>The store contract through encryption at rest, against a real PostgreSQL server.</summary>
[TestFixture]
public sealed class EncryptedPostgreSqlSessionStoreContractTests : SessionStoreContractTests
{
    private static readonly string Schema = PostgreSqlStores.NewSchema();

    protected override int AppendsPerTask => 100;

    protected override Task<ISessionStore> CreateStoreAsync() =>
        Task.FromResult<ISessionStore>(new EncryptingSessionStore(
            // A schema of its own: the contract uses fixed session ids that the plain store's fixture uses too.
            PostgreSqlStores.Create(SharedPostgreSqlServer.Server.ConnectionString, Clock, o => o.Schema = Schema),
            new EphemeralDataProtectionProvider(),
            EncryptionAtRestSecrets.ContractOptions(),
            disposeInner: true));
}
