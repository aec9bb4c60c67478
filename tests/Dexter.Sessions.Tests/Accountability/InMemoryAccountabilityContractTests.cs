using Dexter.Sessions.Testing;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Accountability;

[TestFixture]
public sealed class InMemoryAccountabilityContractTests : SessionAccountabilityContractTests
{
    protected override Task<ISessionStore> CreateStoreAsync() =>
        Task.FromResult<ISessionStore>(new InMemorySessionStore(Options.Create(new DexterSessionsOptions()), Clock));
}
