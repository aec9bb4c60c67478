using System.Buffers.Binary;
using System.Text.Json.Serialization;

namespace Dexter.Sessions.Redis;

/// <summary>
/// One turn as it is stored in a session's list: JSON that starts with <c>{"id":N,</c> and carries the format version.
/// </summary>
/// <remarks>
/// The embedding is kept compactly: the float32 values as little-endian bytes, base64-encoded by the serializer.
/// Times keep their offset and full tick precision.
/// </remarks>
internal sealed class TurnRecord
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The turn id; left out when 0, so that the append script can write it first.</summary>
    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Id { get; set; }

    [JsonPropertyName("v")]
    public int Version { get; set; }

    [JsonPropertyName("query")]
    public string? Query { get; set; }

    [JsonPropertyName("answer")]
    public string? Answer { get; set; }

    [JsonPropertyName("summary")]
    public string? Summary { get; set; }

    [JsonPropertyName("createdAt")]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonPropertyName("inputTokens")]
    public long? InputTokenCount { get; set; }

    [JsonPropertyName("outputTokens")]
    public long? OutputTokenCount { get; set; }

    [JsonPropertyName("responseTimeTicks")]
    public long? ResponseTimeTicks { get; set; }

    [JsonPropertyName("embedding")]
    public byte[]? Embedding { get; set; }

    public static TurnRecord From(Message message, int id) => new()
    {
        Id = id,
        Version = CurrentVersion,
        Query = message.Query,
        Answer = message.Answer,
        Summary = message.Summary.Length == 0 ? null : message.Summary,
        CreatedAt = message.CreatedAt,
        InputTokenCount = message.InputTokenCount,
        OutputTokenCount = message.OutputTokenCount,
        ResponseTimeTicks = message.ResponseTime?.Ticks,
        Embedding = EncodeEmbedding(message.Embedding.Span),
    };

    /// <summary>Makes the turn this record holds.</summary>
    /// <returns>The turn, or <see langword="null"/> with a reason when the record is not one this code can read.</returns>
    public Message? ToMessage(out string? problem)
    {
        if (Version != CurrentVersion)
        {
            problem = Version > CurrentVersion
                ? $"it has format version {Version}, written by a newer version of Dexter.Sessions.Redis than this one ({CurrentVersion})"
                : $"its format version {Version} is not known";
            return null;
        }

        if (Id < 1 || Query is null || Answer is null)
        {
            problem = "it lacks the turn id, query or answer";
            return null;
        }

        if (Embedding is { Length: var length } && length % sizeof(float) != 0)
        {
            problem = "its embedding is not a whole number of float32 values";
            return null;
        }

        problem = null;
        return new Message
        {
            Id = Id,
            Query = Query,
            Answer = Answer,
            Summary = Summary ?? string.Empty,
            CreatedAt = CreatedAt,
            InputTokenCount = InputTokenCount,
            OutputTokenCount = OutputTokenCount,
            ResponseTime = ResponseTimeTicks is { } ticks ? TimeSpan.FromTicks(ticks) : null,
            Embedding = DecodeEmbedding(Embedding),
        };
    }

    private static byte[]? EncodeEmbedding(ReadOnlySpan<float> embedding)
    {
        if (embedding.IsEmpty)
        {
            return null;
        }

        var bytes = new byte[embedding.Length * sizeof(float)];
        for (var i = 0; i < embedding.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), embedding[i]);
        }

        return bytes;
    }

    private static ReadOnlyMemory<float> DecodeEmbedding(byte[]? bytes)
    {
        if (bytes is null || bytes.Length == 0)
        {
            return ReadOnlyMemory<float>.Empty;
        }

        var values = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        }

        return values;
    }
}
