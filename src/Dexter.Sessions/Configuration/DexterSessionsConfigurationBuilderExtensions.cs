using Dexter.Sessions;

namespace Microsoft.Extensions.Configuration;

/// <summary>Opts an application in to the bare environment variable names (<c>REDIS_URL</c>, <c>JWT_SECRET</c>, …).</summary>
public static class DexterSessionsConfigurationBuilderExtensions
{
    /// <summary>
    /// Reads the bare environment variables (<see cref="DexterSessionsEnvironmentVariables.ConfigurationKeys"/>)
    /// as the <c>Dexter:Sessions</c> configuration keys they stand for: <c>REDIS_URL</c> as
    /// <c>Dexter:Sessions:Redis:Configuration</c>, <c>JWT_SECRET</c> as <c>Dexter:Sessions:Endpoints:JwtSecret</c>, and so on.
    /// </summary>
    /// <param name="builder">The application's configuration, for example <c>builder.Configuration</c> of a web application.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// <para>
    /// Without this call no Dexter.Sessions package reads these names, so an application's own <c>JWT_SECRET</c> or
    /// <c>REDIS_URL</c> means nothing to it. The variables are read once, when the configuration is built.
    /// </para>
    /// <para>
    /// The source is put first, so every other source wins over it: a key of the <c>Dexter:Sessions</c> section set in
    /// <c>appsettings.json</c>, on the command line or as <c>Dexter__Sessions__…</c> wins over the bare name.
    /// </para>
    /// </remarks>
    public static IConfigurationBuilder AddDexterSessionsEnvironmentVariables(this IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Sources.Insert(0, new DexterSessionsEnvironmentVariablesSource(Environment.GetEnvironmentVariable));
        return builder;
    }
}
