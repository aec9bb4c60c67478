using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Tests.Stores;

[TestFixture]
public sealed class InMemorySessionStoreContractTests : SessionStoreContractTests
{
    protected override Task<ISessionStore> CreateStoreAsync() => Task.FromResult<ISessionStore>(new InMemorySessionStore());
}
