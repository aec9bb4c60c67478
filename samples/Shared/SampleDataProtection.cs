using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.Samples;

/// <summary>The samples' Data Protection, which encryption at rest (<c>DEXTER_ENCRYPT_AT_REST=true</c>) protects turns with.</summary>
internal static class SampleDataProtection
{
    /// <summary>
    /// Registers Data Protection with its keys in <c>DEXTER_KEYS_PATH</c> when it is set, else where Data Protection keeps them by
    /// default (on Linux and macOS <c>~/.aspnet/DataProtection-Keys</c>). A real host chooses a shared, protected place: Redis, a
    /// database, a key vault, with <c>ProtectKeysWith…</c>.
    /// </summary>
    public static IServiceCollection AddSampleDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var dataProtection = services.AddDataProtection().SetApplicationName("Dexter.Sessions.Samples");
        if (configuration["DEXTER_KEYS_PATH"] is { Length: > 0 } keys)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        }

        return services;
    }
}
