using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <summary>
/// A whole session as one versioned JSON document: its metadata, every turn with every field (chat messages, summaries,
/// usage, response times, embeddings) and its rolling summary. Made by
/// <see cref="SessionExportExtensions.ExportSessionAsync"/>, read back into any store by
/// <see cref="SessionExportExtensions.ImportSessionAsync"/>.
/// </summary>
/// <remarks>
/// <para>The document is snake_case JSON: <c>{"format":"dexter.sessions.export","version":1,"session_id","exported_at",
/// "metadata":{"owner","created_at","last_activity_at","turn_count"},"rolling_summary":{"text","through_turn_id","updated_at"},"turns":[{"id","query","answer","summary",
/// "created_at","input_tokens","output_tokens","response_time","token_count","summarizer_fallback","selector_fallback","embedding","messages"}]}</c>.
/// Chat messages are written as Microsoft.Extensions.AI writes them; times keep their offset and full precision.</para>
/// <para><c>rolling_summary</c> is left out when the session has none. Extension point: <see cref="Extensions"/> carries
/// further named sections (written as <c>extensions</c>) that a later version of the format, or an application, adds without
/// changing <see cref="FormatVersion"/>.</para>
/// </remarks>
public sealed class SessionExport
{
    /// <summary>The value of the document's <c>format</c> field.</summary>
    public const string FormatName = "dexter.sessions.export";

    /// <summary>The version of the document this code writes; it reads every version up to this one.</summary>
    public const int FormatVersion = 1;

    /// <summary>Gets the session id.</summary>
    public required string SessionId { get; init; }

    /// <summary>Gets when the document was made.</summary>
    public DateTimeOffset ExportedAt { get; init; }

    /// <summary>Gets the session's metadata (owner, creation, last activity, turn count).</summary>
    public required SessionMetadata Metadata { get; init; }

    /// <summary>Gets every turn, in order.</summary>
    public IReadOnlyList<Message> Turns { get; init; } = [];

    /// <summary>Gets the session's rolling summary (<see cref="ISessionStore.GetSummaryAsync"/>), or <see langword="null"/> when it has none.</summary>
    public SessionSummary? RollingSummary { get; init; }

    /// <summary>Gets further named sections of the document, kept as they were read.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>Writes the document as UTF-8 JSON.</summary>
    /// <returns>The document.</returns>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(ToDocument(), SessionExportJsonContext.Default.SessionExportDocument);

    /// <summary>Reads a document written by <see cref="ToUtf8Json"/> (of this version or an earlier one).</summary>
    /// <param name="utf8Json">The document.</param>
    /// <returns>The export.</returns>
    /// <exception cref="FormatException">The text is not a Dexter.Sessions export, or one of a newer version.</exception>
    public static SessionExport Parse(ReadOnlySpan<byte> utf8Json)
    {
        SessionExportDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(utf8Json, SessionExportJsonContext.Default.SessionExportDocument);
        }
        catch (JsonException e)
        {
            throw new FormatException("The session export is not valid JSON: " + e.Message + " Pass the body of GET /export unchanged.", e);
        }

        if (document is null || !string.Equals(document.Format, FormatName, StringComparison.Ordinal))
        {
            throw new FormatException($"The document is not a session export: its \"format\" must be \"{FormatName}\".");
        }

        if (document.Version is < 1 or > FormatVersion)
        {
            throw new FormatException(
                $"The session export has version {document.Version}; this version of Dexter.Sessions reads versions 1 to {FormatVersion}. Upgrade the package to import it.");
        }

        if (!Dexter.Sessions.SessionId.IsValid(document.SessionId) || document.Metadata is null)
        {
            throw new FormatException("The session export lacks a valid session_id or its metadata.");
        }

        var turns = new List<Message>(document.Turns?.Count ?? 0);
        foreach (var turn in document.Turns ?? [])
        {
            if (turn.Id < 1 || turn.Query is null || turn.Answer is null)
            {
                throw new FormatException($"A turn of the session export lacks its id, query or answer (turn {turn.Id}).");
            }

            turns.Add(new Message
            {
                Id = turn.Id,
                Query = turn.Query,
                Answer = turn.Answer,
                Summary = turn.Summary ?? string.Empty,
                CreatedAt = turn.CreatedAt,
                InputTokenCount = turn.InputTokens,
                OutputTokenCount = turn.OutputTokens,
                ResponseTime = turn.ResponseTime,
                TokenCount = turn.TokenCount,
                SummarizerFellBack = turn.SummarizerFallback,
                SelectorFellBack = turn.SelectorFallback,
                Interrupted = turn.Interrupted,
                Embedding = turn.Embedding ?? ReadOnlyMemory<float>.Empty,
                ChatMessages = turn.Messages is { Count: > 0 } messages ? [.. messages] : [],
            });
        }

        SessionSummary? rollingSummary = null;
        if (document.RollingSummary is { } summary)
        {
            if (summary.Text is null || summary.ThroughTurnId < 1)
            {
                throw new FormatException("The rolling_summary of the session export lacks its text or a through_turn_id of 1 or more.");
            }

            rollingSummary = new SessionSummary(summary.Text, summary.ThroughTurnId, summary.UpdatedAt);
        }

        var metadata = document.Metadata;
        return new SessionExport
        {
            SessionId = document.SessionId,
            ExportedAt = document.ExportedAt,
            Metadata = new SessionMetadata(document.SessionId, metadata.CreatedAt, metadata.LastActivityAt, metadata.TurnCount, metadata.Owner)
            {
                Title = metadata.Title,
                TitleSource = metadata.Title is null ? SessionTitleSource.None : ParseTitleSource(metadata.TitleSource),
                ForkedFromSessionId = metadata.ForkedFromSessionId,
                ForkedFromTurnId = metadata.ForkedFromTurnId,
            },
            Turns = turns,
            RollingSummary = rollingSummary,
            Extensions = document.Extensions ?? new Dictionary<string, JsonElement>(),
        };
    }

    // A title of an unknown or missing source is the owner's: an import never lets a model title replace it.
    private static SessionTitleSource ParseTitleSource(string? source) => source switch
    {
        "question" => SessionTitleSource.Question,
        "model" => SessionTitleSource.Model,
        _ => SessionTitleSource.Owner,
    };

    private SessionExportDocument ToDocument() => new()
    {
        Format = FormatName,
        Version = FormatVersion,
        SessionId = SessionId,
        ExportedAt = ExportedAt,
        Metadata = new SessionExportMetadata
        {
            Owner = Metadata.Owner,
            CreatedAt = Metadata.CreatedAt,
            LastActivityAt = Metadata.LastActivityAt,
            TurnCount = Metadata.TurnCount,
            Title = Metadata.Title,
            TitleSource = Metadata.Title is null ? null : Metadata.TitleSource.ToString().ToLowerInvariant(),
            ForkedFromSessionId = Metadata.ForkedFromSessionId,
            ForkedFromTurnId = Metadata.ForkedFromTurnId,
        },
        RollingSummary = RollingSummary is { } rolling
            ? new SessionExportRollingSummary { Text = rolling.Text, ThroughTurnId = rolling.ThroughTurnId, UpdatedAt = rolling.UpdatedAt }
            : null,
        Turns = [.. Turns.Select(static t => new SessionExportTurn
        {
            Id = t.Id,
            Query = t.Query,
            Answer = t.Answer,
            Summary = t.Summary,
            CreatedAt = t.CreatedAt,
            InputTokens = t.InputTokenCount,
            OutputTokens = t.OutputTokenCount,
            ResponseTime = t.ResponseTime,
            TokenCount = t.TokenCount,
            SummarizerFallback = t.SummarizerFellBack,
            SelectorFallback = t.SelectorFellBack,
            Interrupted = t.Interrupted,
            Embedding = t.Embedding.IsEmpty ? null : t.Embedding.ToArray(),
            Messages = t.ChatMessages.Count == 0 ? null : t.ChatMessages as IList<ChatMessage> ?? [.. t.ChatMessages],
        })],
        Extensions = Extensions.Count == 0 ? null : new Dictionary<string, JsonElement>(Extensions),
    };
}
