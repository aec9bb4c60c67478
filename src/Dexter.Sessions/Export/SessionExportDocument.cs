using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <summary>The JSON form of <see cref="SessionExport"/>.</summary>
internal sealed class SessionExportDocument
{
    public string? Format { get; set; }

    public int Version { get; set; }

    public string? SessionId { get; set; }

    public DateTimeOffset ExportedAt { get; set; }

    public SessionExportMetadata? Metadata { get; set; }

    public SessionExportRollingSummary? RollingSummary { get; set; }

    public List<SessionExportTurn>? Turns { get; set; }

    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>The <c>metadata</c> section of an export.</summary>
internal sealed class SessionExportMetadata
{
    public string? Owner { get; set; }

    public string? ForkedFromSessionId { get; set; }

    public int? ForkedFromTurnId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastActivityAt { get; set; }

    public int TurnCount { get; set; }

    /// <summary>The session's title; absent while it has none (and in exports written before titles).</summary>
    public string? Title { get; set; }

    /// <summary>Who wrote <see cref="Title"/>: <c>question</c>, <c>model</c> or <c>owner</c>.</summary>
    public string? TitleSource { get; set; }
}

/// <summary>The <c>rolling_summary</c> section of an export.</summary>
internal sealed class SessionExportRollingSummary
{
    public string? Text { get; set; }

    public int ThroughTurnId { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One turn of an export.</summary>
internal sealed class SessionExportTurn
{
    public int Id { get; set; }

    public string? Query { get; set; }

    public string? Answer { get; set; }

    public string? Summary { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public TimeSpan? ResponseTime { get; set; }

    public int? TokenCount { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SummarizerFallback { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool SelectorFallback { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Interrupted { get; set; }

    public float[]? Embedding { get; set; }

    [JsonConverter(typeof(ChatMessagesJsonConverter))]
    public IList<ChatMessage>? Messages { get; set; }
}

/// <summary>The source-generated serializer of the export document.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(SessionExportDocument))]
internal sealed partial class SessionExportJsonContext : JsonSerializerContext;
