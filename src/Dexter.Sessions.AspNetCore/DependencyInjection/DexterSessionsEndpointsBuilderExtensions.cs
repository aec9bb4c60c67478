using Dexter.Sessions;
using Dexter.Sessions.AspNetCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services of the HTTP endpoints mapped by <c>app.MapDexterSessions()</c>.</summary>
public static class DexterSessionsEndpointsBuilderExtensions
{
    /// <summary>
    /// Registers what <c>app.MapDexterSessions()</c> needs: <see cref="DexterSessionsEndpointOptions"/> bound from configuration
    /// section <c>Dexter:Sessions:Endpoints</c> (the bare <c>BACKEND_API_KEY</c>, <c>JWT_SECRET</c>,
    /// <c>SECURE_COOKIES</c> and <c>DEXTER_RATE_LIMIT_PER_MINUTE</c> count where the application calls
    /// <c>AddDexterSessionsEnvironmentVariables()</c>), the caller check (the host's user, else the standalone API key or
    /// HS256 bearer token), and the per-client and per-session rate limiters.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the options after they are bound; runs last.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// Options come from the <see cref="IConfiguration"/> registered in the services (none are bound when none is registered),
    /// and are validated when the host starts: a malformed value or a JWT secret shorter than 32 bytes fails with a message
    /// naming the setting. Calling this method twice registers everything once. Nothing the host owns is changed: no
    /// authentication scheme, health check, JSON option, problem-details service or rate-limiter policy is added.
    /// </remarks>
    public static IDexterSessionsBuilder AddEndpoints(this IDexterSessionsBuilder builder, Action<DexterSessionsEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        var optionsBuilder = services.AddOptions<DexterSessionsEndpointOptions>();
        if (!services.Any(d => d.ServiceType == typeof(DexterSessionsEndpoints)))
        {
            optionsBuilder.Configure<IServiceProvider>(static (options, provider) => BindConfiguration(options, provider));
            optionsBuilder.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DexterSessionsEndpointOptions>, DexterSessionsEndpointOptionsValidator>());

            // No authentication scheme, JSON option, problem-details service or rate-limiter policy is added: the host keeps its own.
            services.TryAddSingleton<CallerAuthenticator>();
            services.TryAddSingleton<EndpointRateLimiter>();
            services.TryAddSingleton<DexterSessionsEndpoints>();
            builder.UseAuditLog(); // the endpoints audit by default; an ISessionAuditLog registered by the application wins
            services.TryAddSingleton<DexterSessionsRouteRegistry>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DexterSessionsRouteCheck>());
        }

        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// Binds <see cref="DexterSessionsEndpointOptions.SectionName"/>, and the two limits kept in <c>Dexter:Sessions:RateLimit</c>
    /// (<c>PermitsPerMinute</c>, <c>ClientPermitsPerMinute</c>).
    /// </summary>
    private static void BindConfiguration(DexterSessionsEndpointOptions options, IServiceProvider provider)
    {
        if (DexterSessionsSettings.GetSection<DexterSessionsEndpointOptions>(provider, DexterSessionsEndpointOptions.SectionName) is { } section)
        {
            section.Bind(options);
        }

        if (DexterSessionsSettings.GetSection<RateLimitSettings>(provider, RateLimitSettings.SectionName) is { } rateLimit)
        {
            var limits = new RateLimitSettings
            {
                PermitsPerMinute = options.RateLimitPermitsPerMinute,
                ClientPermitsPerMinute = options.ClientRateLimitPermitsPerMinute,
            };
            rateLimit.Bind(limits);
            options.RateLimitPermitsPerMinute = limits.PermitsPerMinute;
            options.ClientRateLimitPermitsPerMinute = limits.ClientPermitsPerMinute;
        }
    }

    /// <summary>The settings of section <c>Dexter:Sessions:RateLimit</c>, which set <see cref="DexterSessionsEndpointOptions"/>.</summary>
    internal sealed class RateLimitSettings
    {
        public const string SectionName = "Dexter:Sessions:RateLimit";

        /// <summary>Gets or sets <see cref="DexterSessionsEndpointOptions.RateLimitPermitsPerMinute"/> (<c>DEXTER_RATE_LIMIT_PER_MINUTE</c>).</summary>
        public int PermitsPerMinute { get; set; }

        /// <summary>Gets or sets <see cref="DexterSessionsEndpointOptions.ClientRateLimitPermitsPerMinute"/>.</summary>
        public int ClientPermitsPerMinute { get; set; }
    }
}
