using Dexter.Sessions;
using Dexter.Sessions.AgentFramework;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Agents.AI;

/// <summary>
/// Makes Dexter.Sessions the chat history of a <see cref="ChatClientAgent"/>, in one call on its options:
/// <c>chatClient.AsAIAgent(new ChatClientAgentOptions { … }.UseDexterSessions(services))</c>.
/// </summary>
public static class DexterChatClientAgentOptionsExtensions
{
    /// <summary>Sets <paramref name="provider"/> as the agent's <see cref="ChatClientAgentOptions.ChatHistoryProvider"/>.</summary>
    /// <param name="options">The agent's options.</param>
    /// <param name="provider">The provider; one instance can serve every agent.</param>
    /// <returns><paramref name="options"/>, to pass to the agent.</returns>
    public static ChatClientAgentOptions UseDexterSessions(this ChatClientAgentOptions options, DexterChatHistoryProvider provider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provider);
        options.ChatHistoryProvider = provider;
        return options;
    }

    /// <summary>Sets a new <see cref="DexterChatHistoryProvider"/> over <paramref name="pipeline"/> as the agent's history provider.</summary>
    /// <param name="options">The agent's options.</param>
    /// <param name="pipeline">The pipeline that owns each turn, for example <c>new SessionTurnPipeline(store)</c>.</param>
    /// <returns><paramref name="options"/>, to pass to the agent.</returns>
    public static ChatClientAgentOptions UseDexterSessions(this ChatClientAgentOptions options, SessionTurnPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return options.UseDexterSessions(new DexterChatHistoryProvider(pipeline));
    }

    /// <summary>
    /// Sets the <see cref="DexterChatHistoryProvider"/> registered by <c>services.AddDexterSessions().AddAgentFramework()</c> as the
    /// agent's history provider, so the agent uses the application's store, summarizer, selector and options.
    /// </summary>
    /// <param name="options">The agent's options.</param>
    /// <param name="services">The application's services.</param>
    /// <returns><paramref name="options"/>, to pass to the agent.</returns>
    /// <exception cref="InvalidOperationException">No provider is registered.</exception>
    public static ChatClientAgentOptions UseDexterSessions(this ChatClientAgentOptions options, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var provider = services.GetService<DexterChatHistoryProvider>() ?? throw new InvalidOperationException(
            "No DexterChatHistoryProvider is registered: call services.AddDexterSessions().AddAgentFramework() before building the service provider.");
        return options.UseDexterSessions(provider);
    }
}
