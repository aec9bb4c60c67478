using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dexter.Sessions.AspNetCore;

/// <summary>The JSON bodies of the endpoints, with snake_case names, serialized without reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(QueryRequest))]
[JsonSerializable(typeof(SessionCreatedResponse))]
[JsonSerializable(typeof(HistoryResponse))]
[JsonSerializable(typeof(HistoryClearedResponse))]
[JsonSerializable(typeof(StreamEvent))]
[JsonSerializable(typeof(ContextResponse))]
internal sealed partial class DexterSessionsJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context the endpoints write with: like <see cref="JsonSerializerContext"/>'s default, but leaving quotes, apostrophes
    /// and non-ASCII text unescaped, so answers read as written in curl; the bodies are JSON, never HTML.
    /// </summary>
    public static DexterSessionsJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>The body of <c>POST /query</c>.</summary>
internal sealed class QueryRequest
{
    public string? Query { get; set; }

    public string? SessionId { get; set; }
}

/// <summary>The answer of <c>POST /session</c>.</summary>
internal sealed record SessionCreatedResponse(string SessionId, string Status);

/// <summary>
/// The answer of <c>GET /history</c>: <c>turns</c> counts the whole session, <c>messages</c> holds one page (oldest first),
/// and <c>next_before</c>, present when older turns exist, is the <c>before</c> of the next older page.
/// </summary>
internal sealed record HistoryResponse(string SessionId, int Turns, IReadOnlyList<HistoryMessage> Messages, int? NextBefore);

/// <summary>One turn in <see cref="HistoryResponse"/>.</summary>
internal sealed record HistoryMessage(int Id, string Query, string Answer, string Summary, DateTimeOffset CreatedAt, bool Interrupted);

/// <summary>The answer of <c>DELETE /history</c>.</summary>
internal sealed record HistoryClearedResponse(string SessionId, string Status);

/// <summary>
/// One Server-Sent Event of <c>POST /query</c>: <c>token</c> (a piece of the answer), <c>answer</c> (the whole answer, last)
/// or <c>error</c> (last). Every event carries <see cref="Content"/>, which a client prints.
/// </summary>
internal sealed class StreamEvent
{
    public required string Type { get; init; }

    public required string Content { get; init; }

    public string? Error { get; init; }

    public string? SessionId { get; init; }

    public string? RequestId { get; init; }

    public int? MessageId { get; init; }
}

/// <summary>
/// The answer of <c>GET /context</c>: the context messages the model would receive before the query, the past turns in them (in
/// chronological order, each with its tokens, rank and score parts) and the tokens used of the budget.
/// </summary>
internal sealed record ContextResponse(
    string SessionId,
    string Query,
    int MaxTokens,
    int TokenCount,
    int ConsideredTurns,
    string Selector,
    bool SelectorFellBack,
    int? RollingSummaryThroughTurnId,
    IReadOnlyList<ContextTurnResponse> Turns,
    IReadOnlyList<ContextMessageResponse> Messages)
{
    public static ContextResponse From(string sessionId, string query, ContextExplanation explanation) => new(
        sessionId,
        query,
        explanation.MaxTokens,
        explanation.TokenCount,
        explanation.ConsideredTurns,
        explanation.Selector,
        explanation.SelectorFellBack,
        explanation.RollingSummary?.ThroughTurnId,
        explanation.Turns.Select(static t => new ContextTurnResponse(
            t.TurnId, t.Tokens, t.Rank, t.Relevance?.Score, t.Relevance?.Lexical, t.Relevance?.Vector, t.Relevance?.Recency, t.Relevance?.Pinned ?? false, t.Cut)).ToList(),
        explanation.Messages.Select(static m => new ContextMessageResponse(m.Role.Value, m.Text)).ToList());
}

/// <summary>One past turn in <see cref="ContextResponse"/>; the score parts are absent when the selector does not give them (recency).</summary>
internal sealed record ContextTurnResponse(int Id, int Tokens, int Rank, double? Score, double? Lexical, double? Vector, double? Recency, bool Pinned, bool Cut);

/// <summary>One context message in <see cref="ContextResponse"/>.</summary>
internal sealed record ContextMessageResponse(string Role, string Text);
