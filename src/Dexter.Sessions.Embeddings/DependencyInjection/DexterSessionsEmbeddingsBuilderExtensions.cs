using Dexter.Sessions;
using Dexter.Sessions.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Selects context turns by embedding similarity (<see cref="EmbeddingMessageSelector"/>) in Dexter.Sessions.</summary>
public static class DexterSessionsEmbeddingsBuilderExtensions
{
    /// <summary>
    /// Selects context turns with <see cref="EmbeddingMessageSelector"/>, whatever <see cref="DexterSessionsOptions.UseEmbeddings"/> says.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the selector's options; they are validated when the application starts.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// The selector uses the application's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of <see cref="string"/> and
    /// <see cref="Embedding{T}"/> of <see cref="float"/> when one is registered (for example with <c>services.AddEmbeddingGenerator(...)</c>),
    /// whatever the order of registration; otherwise an offline <see cref="HashingEmbeddingGenerator"/>.
    /// </remarks>
    public static IDexterSessionsBuilder UseEmbeddingSelector(this IDexterSessionsBuilder builder, Action<EmbeddingSelectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddEmbeddingMessageSelector(builder.Services, configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<IMessageSelector>(static provider => provider.GetRequiredService<EmbeddingMessageSelector>()));
        return builder;
    }

    /// <summary>
    /// Lets the settings choose embeddings: with <see cref="DexterSessionsOptions.UseEmbeddings"/> on (<c>DEXTER_USE_EMBEDDINGS=true</c>
    /// or <c>Dexter:Sessions:UseEmbeddings</c>), the default relevance ranking (<see cref="RelevanceMessageSelector"/>) fuses vector
    /// similarity with its lexical relevance; with <see cref="DexterSessionsOptions.Selection"/> set to
    /// <see cref="SessionSelection.Embeddings"/>, <see cref="EmbeddingMessageSelector"/> selects by embedding similarity over a candidate window
    /// (<c>0.7 · cosine + 0.3 · recency</c>, threshold 0.3).
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures <see cref="EmbeddingMessageSelector"/>'s options; they are validated when the application starts.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>
    /// The choice is made when the selector is first resolved. Vectors come from the application's
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> when one is registered (for example all-MiniLM-L6-v2 with package
    /// Dexter.Sessions.Embeddings.MiniLM), whatever the order of registration; otherwise from an offline
    /// <see cref="HashingEmbeddingGenerator"/>. With the setting off, the selection is the default one: relevance (lexical, and
    /// vectors when a generator is registered) or, with <see cref="SessionSelection.Recent"/>, the latest turns.
    /// </remarks>
    public static IDexterSessionsBuilder UseEmbeddingSelectorWhenConfigured(this IDexterSessionsBuilder builder, Action<EmbeddingSelectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddEmbeddingMessageSelector(builder.Services, configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<IMessageSelector>(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value;
            return options.Selection switch
            {
                SessionSelection.Embeddings => provider.GetRequiredService<EmbeddingMessageSelector>(),
                SessionSelection.Recent => RecentMessageSelector.Instance,
                _ when options.UseEmbeddings && provider.GetService<IEmbeddingGenerator<string, Embedding<float>>>() is null =>
                    new RelevanceMessageSelector(
                        new HashingEmbeddingGenerator(),
                        provider.GetRequiredService<IOptions<RelevanceSelectorOptions>>(),
                        provider.GetService<TimeProvider>(),
                        provider.GetService<ILogger<RelevanceMessageSelector>>()),
                _ => provider.GetRequiredService<RelevanceMessageSelector>(),
            };
        }));
        return builder;
    }

    private static void AddEmbeddingMessageSelector(IServiceCollection services, Action<EmbeddingSelectorOptions>? configure)
    {
        var options = services.AddOptions<EmbeddingSelectorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddingSelectorOptions>, EmbeddingSelectorOptionsValidator>());
        services.TryAddSingleton(static provider => new EmbeddingMessageSelector(
            provider.GetService<IEmbeddingGenerator<string, Embedding<float>>>() ?? new HashingEmbeddingGenerator(),
            provider.GetRequiredService<IOptions<EmbeddingSelectorOptions>>(),
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<EmbeddingMessageSelector>>()));
    }
}
