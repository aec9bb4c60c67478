using System.ClientModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace Dexter.Sessions.Samples;

/// <summary>What every sample sets up the same way: its settings, its logging and its model.</summary>
internal static class SampleModel
{
    /// <summary>The sample's settings: the environment, with the bare variable names (REDIS_URL, DEXTER_*) opted in.</summary>
    public static IConfiguration Configuration() => new ConfigurationBuilder()
        .AddEnvironmentVariables()
        .AddDexterSessionsEnvironmentVariables()
        .Build();

    /// <summary>Services with the settings, warnings-only console logging (and the embedding model's load) and the model.</summary>
    public static ServiceCollection Services(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddLogging(logging => logging
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Dexter.Sessions.Embeddings.MiniLM", LogLevel.Information));   // "Loaded the embedding model ... in N ms"
        services.AddChatClient(Create(configuration));
        return services;
    }

    /// <summary>The model: an OpenAI-compatible endpoint when OPENAI_API_KEY is set (OPENAI_BASE_URL, OPENAI_MODEL), else the offline one.</summary>
    public static IChatClient Create(IConfiguration configuration)
    {
        if (configuration["OPENAI_API_KEY"] is not { Length: > 0 } apiKey)
        {
            return new OfflineChatClient();
        }

        var options = new OpenAIClientOptions();
        if (configuration["OPENAI_BASE_URL"] is { Length: > 0 } baseUrl)
        {
            options.Endpoint = new Uri(baseUrl);
        }

        var model = configuration["OPENAI_MODEL"] is { Length: > 0 } name ? name : "gpt-4o-mini";
        return new OpenAIClient(new ApiKeyCredential(apiKey), options).GetChatClient(model).AsIChatClient();
    }

    /// <summary>
    /// Whether embeddings are on: Dexter:Sessions:UseEmbeddings (DEXTER_USE_EMBEDDINGS) read as Dexter.Sessions reads it, where
    /// true, 1, yes and on (any case) mean on; a value it cannot read stops the sample when the options are validated.
    /// </summary>
    public static bool UseEmbeddings(IConfiguration configuration) =>
        configuration[DexterSessionsOptions.SectionName + ":UseEmbeddings"]?.Trim().ToUpperInvariant() is "TRUE" or "1" or "YES" or "ON";

    /// <summary>The "Model:" line the console samples print.</summary>
    public static string Describe(IConfiguration configuration) =>
        configuration["OPENAI_API_KEY"] is { Length: > 0 } ? "OpenAI-compatible endpoint" : "offline sample model (set OPENAI_API_KEY for a real one)";
}
