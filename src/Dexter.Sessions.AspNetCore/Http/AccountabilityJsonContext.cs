using System.Text.Json.Serialization;

namespace Dexter.Sessions.AspNetCore;

/// <summary>The JSON bodies of <c>GET /stats</c> and <c>GET /audit</c>, snake_case, serialized without reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StatisticsResponse))]
[JsonSerializable(typeof(AuditResponse))]
internal sealed partial class AccountabilityJsonContext : JsonSerializerContext;

/// <summary>The answer of <c>GET /stats</c>; times in milliseconds, <see langword="null"/> when no turn was measured.</summary>
internal sealed record StatisticsResponse(
    string SessionId,
    int Turns,
    long InputTokens,
    long OutputTokens,
    double? ResponseTimeP50Ms,
    double? ResponseTimeP95Ms,
    double? ResponseTimeMaxMs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FirstActivityAt,
    DateTimeOffset LastActivityAt,
    int SummarizerFallbacks,
    int SelectorFallbacks,
    int InterruptedTurns,
    IReadOnlyList<TurnStatisticsEntry> PerTurn)
{
    public static StatisticsResponse From(SessionStatistics s) => new(
        s.SessionId, s.Turns, s.InputTokens, s.OutputTokens,
        s.ResponseTimeP50?.TotalMilliseconds, s.ResponseTimeP95?.TotalMilliseconds, s.ResponseTimeMax?.TotalMilliseconds,
        s.CreatedAt, s.FirstActivityAt, s.LastActivityAt, s.SummarizerFallbacks, s.SelectorFallbacks, s.InterruptedTurns,
        [.. s.PerTurn.Select(static t => new TurnStatisticsEntry(t.Id, t.CreatedAt, t.ResponseTime?.TotalMilliseconds, t.InputTokens, t.OutputTokens, t.Interrupted))]);
}

/// <summary>One turn in <see cref="StatisticsResponse.PerTurn"/>.</summary>
internal sealed record TurnStatisticsEntry(int Id, DateTimeOffset CreatedAt, double? ResponseTimeMs, long? InputTokens, long? OutputTokens, bool Interrupted);

/// <summary>The answer of <c>GET /audit</c>; <c>kept</c> is <see langword="false"/> when events go to the logs only.</summary>
internal sealed record AuditResponse(string SessionId, bool Kept, IReadOnlyList<AuditEntry> Events);

/// <summary>One event in <see cref="AuditResponse"/>.</summary>
internal sealed record AuditEntry(
    DateTimeOffset Timestamp, string Action, string Outcome, string? Principal, string? RequestId, string? RemoteAddress, int? TurnId)
{
    public static AuditEntry From(SessionAuditEvent e) => new(
        e.Timestamp, SessionAuditJson.ActionName(e.Action), SessionAuditJson.OutcomeName(e.Outcome), e.Principal, e.RequestId, e.RemoteAddress, e.TurnId);
}
