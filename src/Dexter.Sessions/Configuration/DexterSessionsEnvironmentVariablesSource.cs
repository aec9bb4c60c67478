using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions;

/// <summary>The configuration source of <c>AddDexterSessionsEnvironmentVariables()</c>.</summary>
internal sealed class DexterSessionsEnvironmentVariablesSource(Func<string, string?> read) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new DexterSessionsEnvironmentVariablesProvider(read);
}
