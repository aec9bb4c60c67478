using System.Text.Json.Serialization;

namespace Dexter.Sessions.AgentFramework;

/// <summary>Source-generated JSON for <see cref="DexterSessionState"/>, so the state bag entry needs no reflection.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DexterSessionState))]
internal sealed partial class DexterSessionStateJsonContext : JsonSerializerContext;
