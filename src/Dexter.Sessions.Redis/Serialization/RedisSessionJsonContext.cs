using System.Text.Json.Serialization;

namespace Dexter.Sessions.Redis;

/// <summary>The source-generated serializer of the records the store writes, so that no reflection is needed.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TurnRecord))]
internal sealed partial class RedisSessionJsonContext : JsonSerializerContext;
