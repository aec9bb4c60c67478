using Dexter.Sessions;
using Dexter.Sessions.AgentFramework;

namespace Microsoft.Agents.AI;

/// <summary>Adds Dexter.Sessions to an agent pipeline built with <see cref="AIAgentBuilder"/>.</summary>
public static class DexterAIAgentBuilderExtensions
{
    /// <summary>
    /// Keeps stopped answers: when the caller stops a streamed run of the agent after the model wrote some text — a cancelled token,
    /// or the stream left before its end (a client that disconnected, a stop button) — the turn is recorded by the agent's
    /// <see cref="DexterChatHistoryProvider"/> with the text streamed so far, marked <see cref="Message.Interrupted"/>, and a
    /// cancellation throws <see cref="TurnInterruptedException"/>. <see cref="DexterSessionsOptions.RecordInterruptedTurns"/> off
    /// turns it off (a stopped run records nothing then).
    /// </summary>
    /// <remarks>
    /// Agent Framework tells a history provider of a cancelled run without what was streamed, and of a stream left early not at
    /// all, so the provider alone records nothing for a stopped run; this agent watches the stream for it. Use it over a
    /// <see cref="ChatClientAgent"/> whose options call <c>UseDexterSessions(…)</c>:
    /// <c>new ChatClientAgent(chatClient, options.UseDexterSessions(services)).AsBuilder().UseDexterInterruptedTurns().Build()</c>.
    /// A run that fails (rather than being stopped) records nothing, as before.
    /// </remarks>
    /// <param name="builder">The agent builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException">When built: the agent below has no <see cref="DexterChatHistoryProvider"/>.</exception>
    public static AIAgentBuilder UseDexterInterruptedTurns(this AIAgentBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use(static inner => new InterruptedTurnAgent(
            inner,
            inner.GetService<DexterChatHistoryProvider>() ?? throw new InvalidOperationException(
                "UseDexterInterruptedTurns() needs an agent that keeps its history with DexterChatHistoryProvider: build it over a " +
                "ChatClientAgent whose options call UseDexterSessions(...).")));
    }
}
