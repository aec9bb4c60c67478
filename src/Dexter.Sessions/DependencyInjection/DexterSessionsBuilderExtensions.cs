using System.Diagnostics.CodeAnalysis;
using Dexter.Sessions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Replaces the parts of Dexter.Sessions registered by <c>AddDexterSessions()</c>.</summary>
public static class DexterSessionsBuilderExtensions
{
    /// <summary>
    /// Uses <typeparamref name="TStore"/> as the session store (a singleton, made with the services' constructor injection), wrapped
    /// in the store decorators the builder has, such as <c>UseEncryptionAtRest()</c>.
    /// </summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder, to chain further calls.</returns>
    public static IDexterSessionsBuilder UseSessionStore<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TStore>(this IDexterSessionsBuilder builder)
        where TStore : class, ISessionStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        SessionStoreRegistration.Register(builder.Services, static provider => ActivatorUtilities.CreateInstance<TStore>(provider));
        return builder;
    }

    /// <summary>
    /// Uses the store <paramref name="storeFactory"/> makes as the session store (a singleton), wrapped in the store decorators
    /// the builder has, such as <c>UseEncryptionAtRest()</c>, whether they were added before or after this call.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="storeFactory">Makes the store, once.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>Packages that add stores (Redis, SQLite, PostgreSQL) register them through this method.</remarks>
    public static IDexterSessionsBuilder UseSessionStore(this IDexterSessionsBuilder builder, Func<IServiceProvider, ISessionStore> storeFactory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(storeFactory);
        SessionStoreRegistration.Register(builder.Services, storeFactory);
        return builder;
    }

    /// <summary>Uses <typeparamref name="TSelector"/> to select context turns (a singleton).</summary>
    /// <typeparam name="TSelector">The selector type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder, to chain further calls.</returns>
    public static IDexterSessionsBuilder UseMessageSelector<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSelector>(this IDexterSessionsBuilder builder)
        where TSelector : class, IMessageSelector
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IMessageSelector, TSelector>());
        return builder;
    }

    /// <summary>
    /// Selects context turns with <see cref="LexicalMessageSelector"/>: the latest turns and the past turns that share the most
    /// words with the query (Okapi BM25), without a model or embeddings.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the selector's options; they are validated when the application starts.</param>
    /// <returns>The builder, to chain further calls.</returns>
    public static IDexterSessionsBuilder UseLexicalSelector(this IDexterSessionsBuilder builder, Action<LexicalSelectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<LexicalSelectorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LexicalSelectorOptions>, LexicalSelectorOptionsValidator>());
        builder.Services.TryAddSingleton(static provider => new LexicalMessageSelector(
            provider.GetRequiredService<IOptions<LexicalSelectorOptions>>(),
            provider.GetService<ILogger<LexicalMessageSelector>>()));
        builder.Services.Replace(ServiceDescriptor.Singleton<IMessageSelector>(static provider => provider.GetRequiredService<LexicalMessageSelector>()));
        return builder;
    }

    /// <summary>
    /// Summarizes turns with a model (<see cref="ChatClientSummarizer"/>), whatever <see cref="DexterSessionsOptions.SummarizeWithLlm"/> says.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="chatClientFactory">Gives the model that writes summaries; the registered <see cref="IChatClient"/> when <see langword="null"/>.</param>
    /// <returns>The builder, to chain further calls.</returns>
    public static IDexterSessionsBuilder UseChatClientSummarizer(this IDexterSessionsBuilder builder, Func<IServiceProvider, IChatClient>? chatClientFactory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<ISummarizer>(provider =>
            DexterSessionsServiceCollectionExtensions.CreateChatClientSummarizer(
                provider,
                chatClientFactory?.Invoke(provider) ?? DexterSessionsServiceCollectionExtensions.GetChatClient(provider) ?? throw new InvalidOperationException(
                    "UseChatClientSummarizer() needs an IChatClient: register one with services.AddChatClient(...) or pass a factory."))));
        return builder;
    }
}
