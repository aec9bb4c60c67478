using System.Globalization;
using Dexter.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Dexter.Sessions in a service collection.</summary>
public static class DexterSessionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers Dexter.Sessions: options bound from configuration section <c>Dexter:Sessions</c> and the bare
    /// environment variables the application opted in to, the <see cref="InMemorySessionStore"/>, the summarizer, the message selector and
    /// <see cref="DexterAgent"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options after they are bound; runs last.</param>
    /// <returns>A builder to configure Dexter.Sessions further (<c>.UseRedis(…)</c>, <c>.UseEmbeddingSelector(…)</c>, …).</returns>
    /// <remarks>
    /// <para>Every default is registered with <c>TryAdd</c>: an <see cref="ISessionStore"/>, <see cref="ISummarizer"/>,
    /// <see cref="IMessageSelector"/> or <see cref="TimeProvider"/> registered by the application wins, whatever the order.</para>
    /// <para>Options come from the <see cref="IConfiguration"/> registered in the services; with none registered, nothing is bound
    /// (the process environment is not read). They are validated when the host starts; a bad value fails with a message naming
    /// the setting.</para>
    /// <para>With <see cref="DexterSessionsOptions.SummarizeWithLlm"/> on, turns are summarized by the registered
    /// <see cref="IChatClient"/> (<see cref="ChatClientSummarizer"/>). <see cref="SessionTurnPipeline"/> is a singleton;
    /// <see cref="DexterAgent"/> is transient and uses the registered <see cref="IChatClient"/>, or the keyed one named by
    /// <see cref="DexterSessionsOptions.ChatClientKey"/> (for apps that register models with <c>AddKeyedChatClient</c>).</para>
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
            optionsBuilder.Configure<IServiceProvider>(static (options, provider) => BindConfiguration(options, provider));
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
        AddRelevanceSelector(services);
        services.TryAddSingleton<IMessageSelector>(static provider => provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value.Selection switch
        {
            SessionSelection.Recent => RecentMessageSelector.Instance,
            SessionSelection.Relevance => provider.GetRequiredService<RelevanceMessageSelector>(),
            var other => throw new InvalidOperationException(
                $"Dexter:Sessions:Selection is {other}, which needs package Dexter.Sessions.Embeddings: call UseEmbeddingSelectorWhenConfigured() on AddDexterSessions(), or choose Relevance or Recent."),
        });
        services.TryAddSingleton<ISummarizer>(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<DexterSessionsOptions>>();
            if (!options.Value.SummarizeWithLlm)
            {
                return TruncatingSummarizer.Instance;
            }

            var chatClient = GetChatClient(provider) ?? throw new InvalidOperationException(
                "DEXTER_SUMMARIZE_LLM (Dexter:Sessions:SummarizeWithLlm) is on, but no IChatClient is registered to write summaries" +
                KeyHint(options.Value) + ". Register one with services.AddChatClient(...), or turn the setting off.");
            return CreateChatClientSummarizer(provider, chatClient);
        });
        services.TryAddSingleton<IRollingSummarizer>(static provider =>
            provider.GetRequiredService<ISummarizer>() as IRollingSummarizer
            ?? new ExtractiveRollingSummarizer(provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value.Tokenizer));
        services.TryAddSingleton(static provider => new SessionSummaryWorker(
            provider.GetRequiredService<IOptions<DexterSessionsOptions>>(),
            provider.GetService<ILogger<SessionSummaryWorker>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SessionSummaryWorker>(static provider => provider.GetRequiredService<SessionSummaryWorker>()));
        services.TryAddSingleton(static provider => new SessionTurnPipeline(
            provider.GetRequiredService<ISessionStore>(),
            provider.GetRequiredService<ISummarizer>(),
            provider.GetRequiredService<IMessageSelector>(),
            provider.GetRequiredService<IOptions<DexterSessionsOptions>>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<SessionTurnPipeline>>(),
            provider.GetRequiredService<IRollingSummarizer>(),
            provider.GetRequiredService<SessionSummaryWorker>()));
        services.TryAddTransient(static provider => new DexterAgent(
            GetChatClient(provider) ?? throw new InvalidOperationException(
                "DexterAgent needs an IChatClient" + KeyHint(provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value) +
                ". Register your model with services.AddChatClient(...), or with AddKeyedChatClient(key, ...) and Dexter:Sessions:ChatClientKey set to that key, before resolving DexterAgent."),
            provider.GetRequiredService<SessionTurnPipeline>()));

        return new DexterSessionsBuilder(services);
    }

    /// <summary>
    /// Binds <see cref="DexterSessionsOptions.SectionName"/>, and the time to live in seconds
    /// (<c>SessionTtlSeconds</c>, <c>DEXTER_SESSION_TTL_SECONDS</c>) where <c>SessionTtl</c> is not set.
    /// </summary>
    private static void BindConfiguration(DexterSessionsOptions options, IServiceProvider provider)
    {
        if (DexterSessionsSettings.GetSection<DexterSessionsOptions>(provider, DexterSessionsOptions.SectionName) is not { } section)
        {
            return;
        }

        section.Bind(options);
        if (section[nameof(DexterSessionsOptions.SessionTtl)] is null &&
            DexterSessionsSettings.GetSection<SessionTtlInSeconds>(provider, DexterSessionsOptions.SectionName)?
                [nameof(SessionTtlInSeconds.SessionTtlSeconds)] is { } seconds)
        {
            options.SessionTtl = TimeSpan.FromSeconds(int.Parse(seconds, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Registers <see cref="RelevanceMessageSelector"/> with its options (bound from <see cref="RelevanceSelectorOptions.SectionName"/>,
    /// validated at start) and the application's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> when one is registered.
    /// </summary>
    internal static void AddRelevanceSelector(IServiceCollection services)
    {
        var options = services.AddOptions<RelevanceSelectorOptions>();
        var alreadyAdded = services.Any(static d => !d.IsKeyedService && d.ServiceType == typeof(IValidateOptions<RelevanceSelectorOptions>));
        if (!alreadyAdded)
        {
            // Read as every other section is: values checked and named in errors, booleans and blanks as the other settings.
            options.Configure<IServiceProvider>(static (value, provider) =>
            {
                if (DexterSessionsSettings.GetSection<RelevanceSelectorOptions>(provider, RelevanceSelectorOptions.SectionName) is { } section)
                {
                    section.Bind(value);
                }
            });
            options.ValidateOnStart();
            services.AddSingleton<IValidateOptions<RelevanceSelectorOptions>>(RelevanceSelectorOptionsValidator.Instance);
        }

        services.TryAddSingleton(static provider => new RelevanceMessageSelector(
            provider.GetService<IEmbeddingGenerator<string, Embedding<float>>>(),
            provider.GetRequiredService<IOptions<RelevanceSelectorOptions>>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<RelevanceMessageSelector>>()));
    }

    /// <summary>The model: the keyed client named by <see cref="DexterSessionsOptions.ChatClientKey"/>, else the unkeyed one.</summary>
    internal static IChatClient? GetChatClient(IServiceProvider provider)
    {
        var key = provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value.ChatClientKey;
        return key is null ? provider.GetService<IChatClient>() : provider.GetKeyedService<IChatClient>(key);
    }

    private static string KeyHint(DexterSessionsOptions options) =>
        options.ChatClientKey is { } key ? $" under the key '{key}' (Dexter:Sessions:ChatClientKey)" : string.Empty;

    /// <summary>The setting of <see cref="DexterSessionsOptions.SessionTtl"/> in whole seconds (<c>DEXTER_SESSION_TTL_SECONDS</c>).</summary>
    private sealed class SessionTtlInSeconds
    {
        public int SessionTtlSeconds { get; set; }
    }

    internal static ChatClientSummarizer CreateChatClientSummarizer(IServiceProvider provider, IChatClient chatClient) =>
        new(chatClient,
            provider.GetRequiredService<IOptions<DexterSessionsOptions>>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<ChatClientSummarizer>>());
}
