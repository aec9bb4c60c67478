using Dexter.Sessions.Testing;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Stores;

[TestFixture]
public sealed class InMemorySessionStoreContractTests : SessionStoreContractTests
{
    protected override Task<ISessionStore> CreateStoreAsync() =>
        Task.FromResult<ISessionStore>(new InMemorySessionStore(Options.Create(new DexterSessionsOptions { SessionTtl = SessionTtl }), Clock));
}
