using System.Text.Json;
using Microsoft.Agents.AI;

namespace Dexter.Sessions.AgentFramework;

/// <summary>Reads and writes the Dexter.Sessions session id kept in an <see cref="AgentSession"/>'s state bag.</summary>
internal static class AgentSessionMapping
{
    private static readonly JsonSerializerOptions JsonOptions = DexterSessionStateJsonContext.Default.Options;

    // Guards get-or-create, so concurrent first runs of one agent session agree on one id.
    private static readonly object Gate = new();

    public static string? Get(AgentSession session) =>
        session.StateBag.TryGetValue<DexterSessionState>(DexterChatHistoryProvider.StateKey, out var state, JsonOptions) ? state?.SessionId : null;

    public static void Set(AgentSession session, string sessionId)
    {
        lock (Gate)
        {
            session.StateBag.SetValue(DexterChatHistoryProvider.StateKey, new DexterSessionState { SessionId = sessionId }, JsonOptions);
        }
    }

    public static string GetOrCreate(AgentSession session, out bool created)
    {
        created = false;
        if (Get(session) is { Length: > 0 } existing)
        {
            return existing;
        }

        lock (Gate)
        {
            if (Get(session) is { Length: > 0 } raced)
            {
                return raced;
            }

            var sessionId = SessionId.New();
            session.StateBag.SetValue(DexterChatHistoryProvider.StateKey, new DexterSessionState { SessionId = sessionId }, JsonOptions);
            created = true;
            return sessionId;
        }
    }
}
