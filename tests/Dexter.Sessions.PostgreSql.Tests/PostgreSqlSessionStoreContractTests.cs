using Dexter.Sessions.Testing;

namespace Dexter.Sessions.PostgreSql.Tests;

/// <summary>The store contract against a real PostgreSQL server; expiry follows the store's (fake) clock.</summary>
[TestFixture]
public sealed class PostgreSqlSessionStoreContractTests : SessionStoreContractTests
{
    protected override Task<ISessionStore> CreateStoreAsync() =>
        Task.FromResult<ISessionStore>(PostgreSqlStores.Create(SharedPostgreSqlServer.Server.ConnectionString, Clock));
}
