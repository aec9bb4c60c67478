using Dexter.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="SessionChatClient"/> to a chat-client pipeline.</summary>
public static class SessionChatClientBuilderExtensions
{
    /// <summary>
    /// Adds session memory to the pipeline: requests whose <see cref="ChatOptions.ConversationId"/> names a session get its
    /// context, and their turns are recorded.
    /// </summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="store">The store; when <see langword="null"/>, the <see cref="ISessionStore"/> registered in the service provider, else a new <see cref="InMemorySessionStore"/> that the client disposes with itself.</param>
    /// <param name="configure">Configures the middleware after it is made.</param>
    /// <returns>The builder, to chain further calls.</returns>
    /// <remarks>The summarizer, selector, options, clock and logger come from the service provider when registered there (see <c>AddDexterSessions()</c>).</remarks>
    public static ChatClientBuilder UseDexterSessions(this ChatClientBuilder builder, ISessionStore? store = null, Action<SessionChatClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((innerClient, services) =>
        {
            var ownStore = store is null && services.GetService<ISessionStore>() is null;
            var options = services.GetService<IOptions<DexterSessionsOptions>>();
            var timeProvider = services.GetService<TimeProvider>();
            var loggerFactory = services.GetService<ILoggerFactory>();
            var sessionStore = store ?? services.GetService<ISessionStore>() ?? new InMemorySessionStore(
                options ?? Options.Options.Create(new DexterSessionsOptions()), timeProvider, loggerFactory?.CreateLogger<InMemorySessionStore>());
            var client = !ownStore && store is null && services.GetService<SessionTurnPipeline>() is { } pipeline
                ? new SessionChatClient(innerClient, pipeline)
                : new SessionChatClient(
                    innerClient,
                    sessionStore,
                    services.GetService<ISummarizer>(),
                    services.GetService<IMessageSelector>(),
                    options,
                    timeProvider,
                    loggerFactory?.CreateLogger<SessionChatClient>());
            if (ownStore)
            {
                // The store was made here and nobody else holds it: the client disposes it with itself.
                client.OwnStore((InMemorySessionStore)sessionStore);
            }

            configure?.Invoke(client);
            return client;
        });
    }
}
