using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dexter.Sessions;

/// <summary>
/// The stored form of a <see cref="SessionAuditEvent"/>, shared by every store that implements <see cref="ISessionAuditStore"/>:
/// versioned snake_case JSON, the same names the <c>GET {prefix}/audit</c> endpoint answers with.
/// </summary>
public static class SessionAuditJson
{
    /// <summary>The format version this code writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Serializes an event.</summary>
    /// <param name="auditEvent">The event.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Serialize(SessionAuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        return JsonSerializer.SerializeToUtf8Bytes(ToRecord(auditEvent), SessionAuditJsonContext.Default.SessionAuditRecord);
    }

    /// <summary>Reads what <see cref="Serialize"/> wrote.</summary>
    /// <param name="utf8Json">The record.</param>
    /// <returns>The event.</returns>
    /// <exception cref="FormatException">The record is not an audit event of a known version.</exception>
    public static SessionAuditEvent Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        SessionAuditRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(utf8Json, SessionAuditJsonContext.Default.SessionAuditRecord);
        }
        catch (JsonException e)
        {
            throw new FormatException("A stored audit event is not valid JSON; the audit trail was changed outside Dexter.Sessions.", e);
        }

        if (record is null || record.Version is < 1 or > CurrentVersion || ParseAction(record.Action) is not { } action || ParseOutcome(record.Outcome) is not { } outcome)
        {
            throw new FormatException(
                $"A stored audit event has an unknown version or action (version {record?.Version}); upgrade Dexter.Sessions to read audit trails written by a newer version.");
        }

        return new SessionAuditEvent
        {
            Timestamp = record.Timestamp,
            Action = action,
            SessionId = record.SessionId,
            Principal = record.Principal,
            RequestId = record.RequestId,
            RemoteAddress = record.RemoteAddress,
            Outcome = outcome,
            TurnId = record.TurnId,
        };
    }

    /// <summary>The snake_case name of an action, as JSON and metrics show it (<c>history_read</c>).</summary>
    /// <param name="action">The action.</param>
    /// <returns>The name.</returns>
    public static string ActionName(SessionAuditAction action) => action switch
    {
        SessionAuditAction.Created => "created",
        SessionAuditAction.Queried => "queried",
        SessionAuditAction.HistoryRead => "history_read",
        SessionAuditAction.StatisticsRead => "statistics_read",
        SessionAuditAction.AuditRead => "audit_read",
        SessionAuditAction.Exported => "exported",
        SessionAuditAction.Cleared => "cleared",
        SessionAuditAction.Imported => "imported",
        SessionAuditAction.Denied => "denied",
        SessionAuditAction.Renamed => "renamed",
        SessionAuditAction.Rewound => "rewound",
        SessionAuditAction.Forked => "forked",
        SessionAuditAction.Replayed => "replayed",
        SessionAuditAction.Interrupted => "interrupted",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "The audit action is not known."),
    };

    /// <summary>The snake_case name of an outcome, as JSON and metrics show it (<c>rate_limited</c>).</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The name.</returns>
    public static string OutcomeName(SessionAuditOutcome outcome) => outcome switch
    {
        SessionAuditOutcome.Succeeded => "succeeded",
        SessionAuditOutcome.NotFound => "not_found",
        SessionAuditOutcome.Unauthorized => "unauthorized",
        SessionAuditOutcome.RateLimited => "rate_limited",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "The audit outcome is not known."),
    };

    internal static SessionAuditRecord ToRecord(SessionAuditEvent e) => new()
    {
        Version = CurrentVersion,
        Timestamp = e.Timestamp,
        Action = ActionName(e.Action),
        SessionId = e.SessionId,
        Principal = e.Principal,
        RequestId = e.RequestId,
        RemoteAddress = e.RemoteAddress,
        Outcome = OutcomeName(e.Outcome),
        TurnId = e.TurnId,
    };

    private static SessionAuditAction? ParseAction(string? name)
    {
        foreach (var action in Enum.GetValues<SessionAuditAction>())
        {
            if (string.Equals(ActionName(action), name, StringComparison.Ordinal))
            {
                return action;
            }
        }

        return null;
    }

    private static SessionAuditOutcome? ParseOutcome(string? name)
    {
        foreach (var outcome in Enum.GetValues<SessionAuditOutcome>())
        {
            if (string.Equals(OutcomeName(outcome), name, StringComparison.Ordinal))
            {
                return outcome;
            }
        }

        return null;
    }
}

/// <summary>The JSON form of one audit event.</summary>
internal sealed class SessionAuditRecord
{
    [JsonPropertyName("v")]
    public int Version { get; set; }

    public DateTimeOffset Timestamp { get; set; }

    public string? Action { get; set; }

    public string? SessionId { get; set; }

    public string? Principal { get; set; }

    public string? RequestId { get; set; }

    public string? RemoteAddress { get; set; }

    public string? Outcome { get; set; }

    public int? TurnId { get; set; }
}

/// <summary>The source-generated serializer of <see cref="SessionAuditRecord"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SessionAuditRecord))]
internal sealed partial class SessionAuditJsonContext : JsonSerializerContext;
