using Dexter.Sessions;
using Dexter.Sessions.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services of the HTTP endpoints mapped by <c>app.MapDexterSessions()</c>.</summary>
public static class DexterSessionsEndpointsBuilderExtensions
{
    /// <summary>
    /// Registers what <c>app.MapDexterSessions()</c> needs: <see cref="DexterSessionsEndpointOptions"/> bound from configuration
    /// section <c>Dexter:Sessions:Endpoints</c> (the original system's <c>BACKEND_API_KEY</c>, <c>JWT_SECRET</c>,
    /// <c>SECURE_COOKIES</c> and <c>DEXTER_RATE_LIMIT_PER_MINUTE</c> count where the application calls
    /// <c>AddDexterSessionsEnvironmentVariables()</c>), the API-key and JwtBearer (HS256)
    /// authentication schemes, the per-session rate limiter and the session store's readiness health check.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the options after they are bound; runs last.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// Options come from the <see cref="IConfiguration"/> registered in the services (none are bound when none is registered),
    /// and are validated when the host starts: a malformed value or a JWT secret shorter than 32 bytes fails with a message
    /// naming the setting. Calling this method twice registers everything once.
    /// </remarks>
    public static IDexterSessionsBuilder AddEndpoints(this IDexterSessionsBuilder builder, Action<DexterSessionsEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        var optionsBuilder = services.AddOptions<DexterSessionsEndpointOptions>();
        if (!services.Any(d => d.ServiceType == typeof(DexterSessionsEndpoints)))
        {
            optionsBuilder.Configure<IServiceProvider>(static (options, provider) =>
                DexterSessionsEndpointOptionsBinder.Bind(options, provider.GetService<IConfiguration>()));
            optionsBuilder.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DexterSessionsEndpointOptions>, DexterSessionsEndpointOptionsValidator>());

            services.AddAuthentication()
                .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(DexterSessionsAuthentication.ApiKeyScheme, displayName: "Dexter.Sessions API key", configureOptions: null)
                .AddJwtBearer(DexterSessionsAuthentication.JwtScheme, static _ => { });
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<JwtBearerOptions>, DexterSessionsAuthentication.JwtBearerSetup>());

            services.TryAddSingleton<DexterSessionsAuthentication>();
            services.TryAddSingleton<SessionRateLimiter>();
            services.TryAddSingleton<DexterSessionsEndpoints>();
            services.AddHealthChecks().AddCheck<SessionStoreHealthCheck>(SessionStoreHealthCheck.Name, tags: ["ready"]);
        }

        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        return builder;
    }
}
