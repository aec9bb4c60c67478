using Dexter.Sessions.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Encryption;

/// <summary>The store contract, run through encryption at rest over the in-memory store.</summary>
[TestFixture]
public sealed class EncryptingInMemorySessionStoreContractTests : SessionStoreContractTests
{
    protected override Task<ISessionStore> CreateStoreAsync() =>
        Task.FromResult<ISessionStore>(new EncryptingSessionStore(
            new InMemorySessionStore(Options.Create(new DexterSessionsOptions { SessionTtl = SessionTtl }), Clock),
            new EphemeralDataProtectionProvider(),
            EncryptionAtRestSecrets.ContractOptions(),
            disposeInner: true));
}
