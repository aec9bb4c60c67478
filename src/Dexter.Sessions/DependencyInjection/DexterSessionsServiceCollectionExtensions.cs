using Dexter.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Dexter.Sessions in a service collection.</summary>
public static class DexterSessionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers Dexter.Sessions: options bound from configuration section <c>Dexter:Sessions</c> and the original
    /// system's environment variables, the <see cref="InMemorySessionStore"/>, the summarizer, the message selector and
    /// <see cref="DexterAgent"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options after they are bound; runs last.</param>
    /// <returns>A builder to configure Dexter.Sessions further (<c>.UseRedis(…)</c>, <c>.UseEmbeddingSelector(…)</c>, …).</returns>
    /// <remarks>
    /// <para>Every default is registered with <c>TryAdd</c>: an <see cref="ISessionStore"/>, <see cref="ISummarizer"/>,
    /// <see cref="IMessageSelector"/> or <see cref="TimeProvider"/> registered by the application wins, whatever the order.</para>
    /// <para>Options come from the <see cref="IConfiguration"/> registered in the services, or from environment variables
    /// when none is. They are validated when the host starts; a bad value fails with a message naming the setting.</para>
    /// <para>With <see cref="DexterSessionsOptions.SummarizeWithLlm"/> on, turns are summarized by the registered
    /// <see cref="IChatClient"/> (<see cref="ChatClientSummarizer"/>). <see cref="DexterAgent"/> is transient and uses the
    /// registered <see cref="IChatClient"/>.</para>
    /// </remarks>
    public static IDexterSessionsBuilder AddDexterSessions(this IServiceCollection services, Action<DexterSessionsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var optionsBuilder = services.AddOptions<DexterSessionsOptions>();

        // Bind configuration once: binding again on a later call would overwrite what an earlier call's configure delegate set.
        var alreadyAdded = services.Any(static d => !d.IsKeyedService && d.ServiceType == typeof(IValidateOptions<DexterSessionsOptions>) &&
            d.ImplementationType == typeof(DexterSessionsOptionsValidator));
        if (!alreadyAdded)
        {
            optionsBuilder.Configure<IServiceProvider>(static (options, provider) =>
                DexterSessionsOptionsBinder.Bind(options, provider.GetService<IConfiguration>()));
        }

        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DexterSessionsOptions>, DexterSessionsOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ISessionStore>(static provider => new InMemorySessionStore(
            provider.GetRequiredService<IOptions<DexterSessionsOptions>>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<InMemorySessionStore>>()));
        services.TryAddSingleton<IMessageSelector>(RecentMessageSelector.Instance);
        services.TryAddSingleton<ISummarizer>(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<DexterSessionsOptions>>();
            if (!options.Value.SummarizeWithLlm)
            {
                return TruncatingSummarizer.Instance;
            }

            var chatClient = provider.GetService<IChatClient>() ?? throw new InvalidOperationException(
                "DEXTER_SUMMARIZE_LLM (Dexter:Sessions:SummarizeWithLlm) is on, but no IChatClient is registered to write summaries. " +
                "Register one with services.AddChatClient(...), or turn the setting off.");
            return CreateChatClientSummarizer(provider, chatClient);
        });
        services.TryAddTransient(static provider => new DexterAgent(
            provider.GetService<IChatClient>() ?? throw new InvalidOperationException(
                "DexterAgent needs an IChatClient. Register your model with services.AddChatClient(...) before resolving DexterAgent."),
            provider.GetRequiredService<ISessionStore>(),
            provider.GetRequiredService<ISummarizer>(),
            provider.GetRequiredService<IMessageSelector>(),
            provider.GetRequiredService<IOptions<DexterSessionsOptions>>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<DexterAgent>>()));

        return new DexterSessionsBuilder(services);
    }

    internal static ChatClientSummarizer CreateChatClientSummarizer(IServiceProvider provider, IChatClient chatClient) =>
        new(chatClient,
            provider.GetRequiredService<IOptions<DexterSessionsOptions>>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<ChatClientSummarizer>>());
}
