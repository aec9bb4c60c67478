using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <summary>
/// Writes and reads a turn's chat messages with <see cref="AIJsonUtilities.DefaultOptions"/>, the serializer
/// Microsoft.Extensions.AI itself uses, so function calls, function results and every other content type round-trip.
/// </summary>
internal sealed class ChatMessagesJsonConverter : JsonConverter<IList<ChatMessage>>
{
    private static JsonTypeInfo<IList<ChatMessage>> TypeInfo =>
        (JsonTypeInfo<IList<ChatMessage>>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IList<ChatMessage>));

    public override IList<ChatMessage>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(ref reader, TypeInfo);

    public override void Write(Utf8JsonWriter writer, IList<ChatMessage> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, TypeInfo);
}
