using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions;

internal sealed class DexterSessionsBuilder(IServiceCollection services) : IDexterSessionsBuilder
{
    public IServiceCollection Services { get; } = services;
}
