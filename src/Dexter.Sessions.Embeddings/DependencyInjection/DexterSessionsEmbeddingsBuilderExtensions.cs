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
    /// Selects context turns with <see cref="EmbeddingMessageSelector"/> when <see cref="DexterSessionsOptions.UseEmbeddings"/> is on
    /// (<c>DEXTER_USE_EMBEDDINGS=true</c> or <c>Dexter:Sessions:UseEmbeddings</c>), and with <see cref="RecentMessageSelector"/> otherwise.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddDexterSessions()</c>.</param>
    /// <param name="configure">Configures the selector's options; they are validated when the application starts.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>The choice is made when the selector is first resolved; the generator is chosen as by <see cref="UseEmbeddingSelector"/>.</remarks>
    public static IDexterSessionsBuilder UseEmbeddingSelectorWhenConfigured(this IDexterSessionsBuilder builder, Action<EmbeddingSelectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddEmbeddingMessageSelector(builder.Services, configure);
        builder.Services.Replace(ServiceDescriptor.Singleton<IMessageSelector>(static provider =>
            provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value.UseEmbeddings
                ? provider.GetRequiredService<EmbeddingMessageSelector>()
                : RecentMessageSelector.Instance));
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
