using Dexter.Sessions;
using Dexter.Sessions.AgentFramework;

namespace Microsoft.Agents.AI;

/// <summary>
/// The Dexter.Sessions session behind an Agent Framework <see cref="AgentSession"/>: kept in the session's state bag, so
/// <c>agent.SerializeSessionAsync(session)</c> and <c>agent.DeserializeSessionAsync(json)</c> keep it, and a conversation
/// resumes in another process on a persistent store.
/// </summary>
public static class DexterAgentSessionExtensions
{
    /// <summary>Gets the id of the Dexter.Sessions session that records <paramref name="session"/>'s turns.</summary>
    /// <param name="session">The agent session.</param>
    /// <returns>The session id (a store key), or <see langword="null"/> before the session's first run, when
    /// <see cref="DexterChatHistoryProvider"/> gives it a new one, unless <see cref="SetDexterSessionId"/> set it.</returns>
    public static string? GetDexterSessionId(this AgentSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return AgentSessionMapping.Get(session);
    }

    /// <summary>
    /// Makes <paramref name="session"/> continue the Dexter.Sessions session <paramref name="sessionId"/>, for example one that
    /// <c>DexterAgent</c>, the chat-client middleware or the HTTP endpoints started.
    /// </summary>
    /// <param name="session">The agent session.</param>
    /// <param name="sessionId">The session id (see <see cref="SessionId.IsValid"/>); map ids of other systems with
    /// <see cref="SessionId.FromConversationId"/>.</param>
    /// <returns><paramref name="session"/>, to chain calls.</returns>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is not a valid session id.</exception>
    public static AgentSession SetDexterSessionId(this AgentSession session, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(session);
        SessionId.ThrowIfInvalid(sessionId);
        AgentSessionMapping.Set(session, sessionId);
        return session;
    }
}
