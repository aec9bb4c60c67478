using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>Wraps the session store in <see cref="EncryptingSessionStore"/>: always, or when <see cref="DexterSessionsOptions.EncryptAtRest"/> is on.</summary>
internal sealed class EncryptionAtRestDecorator : SessionStoreDecorator
{
    public const string NoDataProtectionMessage =
        "Encryption at rest (UseEncryptionAtRest(), or Dexter:Sessions:EncryptAtRest / DEXTER_ENCRYPT_AT_REST) needs ASP.NET Core Data " +
        "Protection: call services.AddDataProtection() (package Microsoft.AspNetCore.DataProtection; ASP.NET Core apps have it already) " +
        "and choose where its keys are kept, for example .PersistKeysToFileSystem(...) or .PersistKeysToStackExchangeRedis(...).";

    /// <summary>Gets or sets whether the store is encrypted whatever the options say (<c>UseEncryptionAtRest()</c>).</summary>
    public bool Always { get; set; }

    public bool IsOn(IServiceProvider provider) =>
        Always || provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value.EncryptAtRest;

    public override ISessionStore Decorate(IServiceProvider provider, ISessionStore store)
    {
        if (!IsOn(provider))
        {
            return store;
        }

        var dataProtection = provider.GetService<IDataProtectionProvider>() ?? throw new InvalidOperationException(NoDataProtectionMessage);
        return new EncryptingSessionStore(
            store,
            dataProtection,
            provider.GetRequiredService<IOptions<EncryptionAtRestOptions>>().Value,
            provider.GetService<ILogger<EncryptingSessionStore>>(),
            disposeInner: true);
    }
}
