using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dexter.Sessions.AspNetCore;

/// <summary>The JSON bodies of <c>GET /sessions</c> and <c>PATCH /session</c>, snake_case, serialized without reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SessionListResponse))]
[JsonSerializable(typeof(SessionItem))]
[JsonSerializable(typeof(RenameRequest))]
internal sealed partial class ConversationsJsonContext : JsonSerializerContext
{
    /// <summary>The context the endpoints write with: titles keep their quotes and non-ASCII text unescaped; the bodies are JSON, never HTML.</summary>
    public static ConversationsJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>The answer of <c>GET /sessions</c>: one page of the caller's sessions, newest activity first; <c>next_cursor</c> is <see langword="null"/> on the last page.</summary>
internal sealed record SessionListResponse(IReadOnlyList<SessionItem> Items, string? NextCursor);

/// <summary>One session in <see cref="SessionListResponse"/>, and the answer of <c>PATCH /session</c>; <c>title</c> is <see langword="null"/> while it has none.</summary>
internal sealed record SessionItem(string SessionId, string? Title, int TurnCount, DateTimeOffset CreatedAt, DateTimeOffset LastActivityAt)
{
    public static SessionItem From(SessionMetadata metadata) =>
        new(metadata.SessionId, metadata.Title, metadata.TurnCount, metadata.CreatedAt, metadata.LastActivityAt);
}

/// <summary>The body of <c>PATCH /session</c>.</summary>
internal sealed class RenameRequest
{
    public string? Title { get; set; }
}
