using Dexter.Sessions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the audit trail of Dexter.Sessions.</summary>
public static class DexterSessionsAuditBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="SessionAuditLog"/> as the <see cref="ISessionAuditLog"/> (unless the application registered its own):
    /// events go to the logs (category <c>Dexter.Sessions.Audit</c>) and to the session store when it implements
    /// <see cref="ISessionAuditStore"/>. <c>AddEndpoints()</c> calls it, so the endpoints audit by default.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the retention and whether events are kept in the store.</param>
    /// <returns>The builder, to chain further calls.</returns>
    public static IDexterSessionsBuilder UseAuditLog(this IDexterSessionsBuilder builder, Action<SessionAuditOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SessionAuditOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<ISessionAuditLog>(static provider => new SessionAuditLog(
            provider.GetRequiredService<ISessionStore>(),
            provider.GetRequiredService<IOptions<SessionAuditOptions>>(),
            provider.GetService<ILoggerFactory>()));
        return builder;
    }
}
