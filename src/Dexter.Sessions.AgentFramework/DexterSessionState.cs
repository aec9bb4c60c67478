using System.Text.Json.Serialization;

namespace Dexter.Sessions.AgentFramework;

/// <summary>What an agent session keeps in its state bag: the id of its Dexter.Sessions session.</summary>
internal sealed class DexterSessionState
{
    /// <summary>Gets or sets the Dexter.Sessions session id (a store key).</summary>
    [JsonPropertyName("sessionId")]
    public string? SessionId { get; set; }
}
