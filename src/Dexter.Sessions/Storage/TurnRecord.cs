using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <summary>
/// One turn as persistent stores keep it: JSON that starts with <c>{"id":N,</c> (when the id is known) and carries the
/// format version. See <see cref="TurnRecordSerializer"/>.
/// </summary>
/// <remarks>
/// Version 1 had no <c>messages</c>; version 2 adds the turn's whole exchange as Microsoft.Extensions.AI chat messages;
/// version 3 adds <c>sealed</c>: the turn's content encrypted as one blob (base64url, so no JSON escape can sit inside it),
/// in place of <c>query</c>, <c>answer</c>, <c>summary</c>, <c>messages</c> and, usually, <c>embedding</c>. Every version is
/// read. The embedding is kept compactly: float32 values as little-endian bytes, base64-encoded.
/// </remarks>
internal sealed class TurnRecord
{
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

    [JsonPropertyName("tokens")]
    public int? TokenCount { get; set; }
    [JsonPropertyName("summarizerFallback")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SummarizerFellBack { get; set; }

    [JsonPropertyName("selectorFallback")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SelectorFellBack { get; set; }

    [JsonPropertyName("interrupted")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Interrupted { get; set; }

    [JsonPropertyName("embedding")]
    public byte[]? Embedding { get; set; }

    [JsonPropertyName("sealed")]
    public string? Sealed { get; set; }

    [JsonPropertyName("messages")]
    [JsonConverter(typeof(ChatMessagesJsonConverter))]
    public IList<ChatMessage>? Messages { get; set; }
}
