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

/// <summary>
/// One session in <see cref="SessionListResponse"/>, and the answer of <c>PATCH /session</c>; <c>title</c> is <see langword="null"/>
/// while it has none, and <c>forked_from_session_id</c> and <c>forked_from_turn_id</c> name the session and last turn it was
/// forked from (<c>POST /session/fork</c>), <see langword="null"/> for a session that is not a fork.
/// </summary>
internal sealed record SessionItem(
    string SessionId, string? Title, int TurnCount, DateTimeOffset CreatedAt, DateTimeOffset LastActivityAt,
    string? ForkedFromSessionId, int? ForkedFromTurnId)
{
    public static SessionItem From(SessionMetadata metadata) =>
        new(metadata.SessionId, metadata.Title, metadata.TurnCount, metadata.CreatedAt, metadata.LastActivityAt,
            metadata.ForkedFromSessionId, metadata.ForkedFromTurnId);
}

/// <summary>The body of <c>PATCH /session</c>.</summary>
internal sealed class RenameRequest
{
    public string? Title { get; set; }
}
