using System.Text.Json.Serialization;

namespace Dexter.Sessions;

/// <summary>The source-generated serializer of <see cref="TurnRecord"/>, so that no reflection is needed.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TurnRecord))]
internal sealed partial class TurnRecordJsonContext : JsonSerializerContext;
