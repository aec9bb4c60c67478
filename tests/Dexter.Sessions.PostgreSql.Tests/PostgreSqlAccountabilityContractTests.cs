using Dexter.Sessions.Testing;

namespace Dexter.Sessions.PostgreSql.Tests;

/// <summary>Audit trails and export/import against a real PostgreSQL server; retention follows the store's (fake) clock.</summary>
[TestFixture]
public sealed class PostgreSqlAccountabilityContractTests : SessionAccountabilityContractTests
{
    protected override Task<ISessionStore> CreateStoreAsync() =>
        Task.FromResult<ISessionStore>(PostgreSqlStores.Create(SharedPostgreSqlServer.Server.ConnectionString, Clock));
}
