using Dexter.Sessions;
using Dexter.Sessions.Embeddings.MiniLM;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers <see cref="MiniLMEmbeddingGenerator"/> as the application's embedding generator:
/// <c>services.AddMiniLMEmbeddingGenerator()</c>, then <c>services.AddDexterSessions().UseEmbeddingSelector()</c>.
/// </summary>
public static class MiniLMServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="MiniLMEmbeddingGenerator"/> (a singleton, also registered as itself) as the
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> of <see cref="string"/> and <see cref="Embedding{T}"/> of <see cref="float"/>,
    /// the generator that <c>UseEmbeddingSelector()</c> picks up whatever the order of registration.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options after they are bound; runs last.</param>
    /// <returns>The builder of the registered generator, to add layers such as <c>UseLogging()</c> or <c>UseOpenTelemetry()</c>.</returns>
    /// <remarks>
    /// Options are bound from configuration section <c>Dexter:Sessions:MiniLM</c> (<c>ModelPath</c>, <c>VocabularyPath</c>,
    /// <c>ModelId</c>, <c>MaxTokens</c>, <c>BatchSize</c>, <c>LowerCase</c>, <c>InferenceThreads</c>) of the <see cref="IConfiguration"/>
    /// registered in the services, and validated when the host starts: a model file that does not exist, or a malformed setting,
    /// fails with a message naming the setting. The model itself is loaded on the first call, not at start.
    /// </remarks>
    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddMiniLMEmbeddingGenerator(
        this IServiceCollection services,
        Action<MiniLMEmbeddingGeneratorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MiniLMEmbeddingGeneratorOptions>();
        if (!services.Any(static d => d.ServiceType == typeof(MiniLMEmbeddingGenerator)))
        {
            options
                .Configure<IServiceProvider>(static (options, provider) =>
                {
                    if (DexterSessionsSettings.GetSection<MiniLMEmbeddingGeneratorOptions>(provider, MiniLMEmbeddingGeneratorOptions.SectionName) is { } section)
                    {
                        section.Bind(options);
                    }
                })
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MiniLMEmbeddingGeneratorOptions>, MiniLMEmbeddingGeneratorOptionsValidator>());
            services.TryAddSingleton(static provider => new MiniLMEmbeddingGenerator(
                provider.GetRequiredService<IOptions<MiniLMEmbeddingGeneratorOptions>>(),
                provider.GetService<ILogger<MiniLMEmbeddingGenerator>>()));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services.AddEmbeddingGenerator(static provider => provider.GetRequiredService<MiniLMEmbeddingGenerator>());
    }
}
