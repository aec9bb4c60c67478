using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions;

/// <summary>Configures Dexter.Sessions after <c>AddDexterSessions()</c>; other packages add <c>Use…</c> methods to it.</summary>
public interface IDexterSessionsBuilder
{
    /// <summary>Gets the services being configured.</summary>
    IServiceCollection Services { get; }
}
