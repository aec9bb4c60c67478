using Dexter.Sessions;
using Dexter.Sessions.AgentFramework;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Agent Framework history provider: <c>services.AddDexterSessions().AddAgentFramework()</c>.</summary>
public static class AgentFrameworkDexterSessionsBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="DexterChatHistoryProvider"/> (a singleton) over the registered <see cref="SessionTurnPipeline"/>, so
    /// agents use the application's store, summarizer, selector and options. Give it to an agent with
    /// <c>new ChatClientAgentOptions { … }.UseDexterSessions(serviceProvider)</c>.
    /// </summary>
    /// <param name="builder">The builder from <c>AddDexterSessions()</c>.</param>
    /// <returns>The builder, to chain further calls.</returns>
    public static IDexterSessionsBuilder AddAgentFramework(this IDexterSessionsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(static provider => new DexterChatHistoryProvider(
            provider.GetRequiredService<SessionTurnPipeline>(),
            provider.GetService<ILogger<DexterChatHistoryProvider>>()));
        return builder;
    }
}
