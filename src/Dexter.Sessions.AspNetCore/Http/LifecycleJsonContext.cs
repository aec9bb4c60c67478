using System.Text.Json.Serialization;

namespace Dexter.Sessions.AspNetCore;

/// <summary>The JSON bodies of the lifecycle endpoints (rewind, fork), with snake_case names, serialized without reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RewindRequest))]
[JsonSerializable(typeof(RewindResponse))]
[JsonSerializable(typeof(ForkRequest))]
[JsonSerializable(typeof(ForkResponse))]
internal sealed partial class LifecycleJsonContext : JsonSerializerContext;

/// <summary>The body of <c>POST /session/rewind</c>.</summary>
internal sealed class RewindRequest
{
    /// <summary>Gets or sets the session; the <c>session_id</c> parameter or cookie when absent.</summary>
    public string? SessionId { get; set; }

    /// <summary>Gets or sets the last turn to keep.</summary>
    public int? ThroughTurnId { get; set; }

    /// <summary>Gets or sets the session's last turn as the client saw it, for a compare-and-set.</summary>
    public int? ExpectedLastTurnId { get; set; }
}

/// <summary>The answer of <c>POST /session/rewind</c>.</summary>
/// <param name="SessionId">The session.</param>
/// <param name="Status">"rewound".</param>
/// <param name="LastTurnId">The session's last turn now.</param>
/// <param name="Turns">How many turns the session holds now.</param>
/// <param name="RemovedTurns">How many turns were removed.</param>
internal sealed record RewindResponse(string SessionId, string Status, int LastTurnId, int Turns, int RemovedTurns);

/// <summary>The body of <c>POST /session/fork</c>.</summary>
internal sealed class ForkRequest
{
    /// <summary>Gets or sets the session to fork; the <c>session_id</c> parameter or cookie when absent.</summary>
    public string? SessionId { get; set; }

    /// <summary>Gets or sets the last turn to copy.</summary>
    public int? ThroughTurnId { get; set; }
}

/// <summary>The answer of <c>POST /session/fork</c>.</summary>
/// <param name="SessionId">The new session.</param>
/// <param name="Status">"forked".</param>
/// <param name="ForkedFromSessionId">The session it was forked from.</param>
/// <param name="ForkedFromTurnId">The last turn copied.</param>
/// <param name="Turns">How many turns the new session holds.</param>
/// <param name="CreatedAt">When the new session was created.</param>
internal sealed record ForkResponse(string SessionId, string Status, string ForkedFromSessionId, int ForkedFromTurnId, int Turns, DateTimeOffset CreatedAt);
