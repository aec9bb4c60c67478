using Dexter.Sessions;
using Microsoft.AspNetCore.DataProtection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Encrypts conversations in the session store: <c>services.AddDexterSessions().UseEncryptionAtRest()</c>.</summary>
public static class EncryptionAtRestBuilderExtensions
{
    /// <summary>
    /// Wraps the session store, whichever it is (memory, Redis, SQLite, PostgreSQL, your own), in <see cref="EncryptingSessionStore"/>,
    /// which encrypts conversation content with the application's <see cref="IDataProtectionProvider"/>.
    /// </summary>
    /// <param name="builder">The builder from <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures encryption; runs when the store is first resolved.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// <para>The order does not matter: a store chosen before or after this call (<c>UseRedis()</c>, <c>UseSqlite()</c>,
    /// <c>UseSessionStore(…)</c>) is wrapped. A store registered directly with <c>services.AddSingleton&lt;ISessionStore&gt;(…)</c>
    /// is wrapped when it was registered before this call; one registered directly after it fails the host's start with a
    /// message that says so, rather than keep conversations in clear.</para>
    /// <para>Data Protection must be registered (<c>services.AddDataProtection()</c>; ASP.NET Core apps have it); its key storage
    /// and rotation are the host's choice. Without it, resolving the store fails with a message that says what to add.</para>
    /// </remarks>
    public static IDexterSessionsBuilder UseEncryptionAtRest(this IDexterSessionsBuilder builder, Action<EncryptionAtRestOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Add(builder.Services, configure).Always = true;
        return builder;
    }

    /// <summary>
    /// Wraps the session store in <see cref="EncryptingSessionStore"/> when <see cref="DexterSessionsOptions.EncryptAtRest"/> is on
    /// (<c>Dexter:Sessions:EncryptAtRest</c>, or <c>DEXTER_ENCRYPT_AT_REST=true</c> where the application calls
    /// <c>AddDexterSessionsEnvironmentVariables()</c>); otherwise the store is used as it is.
    /// </summary>
    /// <param name="builder">The builder from <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures encryption; runs when the store is first resolved.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>The choice is made when the store is first resolved; everything else is as with <see cref="UseEncryptionAtRest"/>.</remarks>
    public static IDexterSessionsBuilder UseEncryptionAtRestWhenConfigured(this IDexterSessionsBuilder builder, Action<EncryptionAtRestOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Add(builder.Services, configure);
        return builder;
    }

    private static EncryptionAtRestDecorator Add(IServiceCollection services, Action<EncryptionAtRestOptions>? configure)
    {
        var isNew = !services.Any(static d => !d.IsKeyedService && d.ServiceType == typeof(SessionStoreDecorator) && d.ImplementationInstance is EncryptionAtRestDecorator);
        var decorator = SessionStoreRegistration.AddDecorator(services, static () => new EncryptionAtRestDecorator());
        var options = services.AddOptions<EncryptionAtRestOptions>();
        if (isNew)
        {
            options
                .Validate<IServiceProvider>(
                    (_, provider) => !decorator.IsOn(provider) || SessionStoreRegistration.StoreIsDecorated(services),
                    "Encryption at rest is on, but the session store was registered directly (services.Add…<ISessionStore>) after " +
                    "UseEncryptionAtRest(), so it would keep conversations in clear. Register it with builder.UseSessionStore(...), " +
                    "or before UseEncryptionAtRest().")
                .ValidateOnStart();
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        return decorator;
    }
}
