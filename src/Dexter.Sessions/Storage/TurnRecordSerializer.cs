using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Dexter.Sessions;

/// <summary>
/// The one persisted form of a turn, shared by every persistent store (Redis, SQLite, PostgreSQL, and stores of your own):
/// versioned UTF-8 JSON that keeps every field of a <see cref="Message"/>, its chat messages and embedding included.
/// </summary>
/// <remarks>
/// <para>A record starts with <c>{"id":N,</c> when the id is known; a record serialized with id 0 starts with <c>{"v":</c>, so a
/// store that assigns ids on the server (the Redis append script) can insert the id in front. Times keep their offset and full
/// tick precision; the embedding is float32 little-endian bytes in base64; chat messages are written with
/// <see cref="Microsoft.Extensions.AI.AIJsonUtilities.DefaultOptions"/>.</para>
/// <para>A turn encrypted at rest (<see cref="EncryptingSessionStore"/>) is written with its content sealed as one blob in the
/// <c>sealed</c> field (base64url: letters, digits, <c>-</c> and <c>_</c>, so no JSON escape can sit inside it) and only its
/// bookkeeping in clear: id, format version, time, token counts, response time and flags. A store keeps such a turn as it keeps
/// any other, by writing and reading this record.</para>
/// <para>Records of every earlier version are read. A record written by a newer version of the format is refused with a
/// problem that says so, never read half-way.</para>
/// </remarks>
public static class TurnRecordSerializer
{
    /// <summary>The format version this code writes; it reads every version up to this one.</summary>
    public const int CurrentVersion = 3;

    /// <summary>Serializes a turn.</summary>
    /// <param name="message">The turn.</param>
    /// <param name="id">The id to write; 0 leaves the id out (for a store that inserts it). The default is the turn's own id.</param>
    /// <returns>The record as UTF-8 JSON.</returns>
    public static byte[] Serialize(Message message, int? id = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var record = new TurnRecord
        {
            Id = id ?? message.Id,
            Version = CurrentVersion,
            Query = message.Query,
            Answer = message.Answer,
            Summary = message.Summary.Length == 0 ? null : message.Summary,
            CreatedAt = message.CreatedAt,
            InputTokenCount = message.InputTokenCount,
            OutputTokenCount = message.OutputTokenCount,
            ResponseTimeTicks = message.ResponseTime?.Ticks,
            SummarizerFellBack = message.SummarizerFellBack,
            SelectorFellBack = message.SelectorFellBack,
            Interrupted = message.Interrupted,
            TokenCount = message.TokenCount,
            Embedding = message.Embedding.IsEmpty ? null : EncodeEmbedding(message.Embedding.Span),
            Messages = message.ChatMessages.Count == 0 ? null : message.ChatMessages as IList<Microsoft.Extensions.AI.ChatMessage> ?? [.. message.ChatMessages],
        };
        if (!message.SealedContent.IsEmpty)
        {
            // A sealed turn carries its content only in the blob.
            record.Query = null;
            record.Answer = null;
            record.Summary = null;
            record.Messages = null;
            record.Sealed = ToBase64Url(message.SealedContent.Span);
        }

        return JsonSerializer.SerializeToUtf8Bytes(record, TurnRecordJsonContext.Records.TurnRecord);
    }

    /// <summary>Reads a turn record.</summary>
    /// <param name="utf8Json">The record.</param>
    /// <param name="message">The turn, when the record could be read.</param>
    /// <param name="problem">Why the record could not be read, as a phrase (for example "it is not valid JSON").</param>
    /// <returns><see langword="true"/> when the record was read.</returns>
    public static bool TryDeserialize(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out Message? message, [NotNullWhen(false)] out string? problem) =>
        TryDeserialize(utf8Json, missingId: 0, out message, out problem);

    /// <summary>Reads a turn record, giving a record written without an id (serialized with id 0) the id <paramref name="missingId"/>.</summary>
    internal static bool TryDeserialize(ReadOnlySpan<byte> utf8Json, int missingId, [NotNullWhen(true)] out Message? message, [NotNullWhen(false)] out string? problem)
    {
        message = null;
        TurnRecord? record;
        try
        {
            record = JsonSerializer.Deserialize(utf8Json, TurnRecordJsonContext.Records.TurnRecord);
        }
        catch (JsonException e)
        {
            problem = ReadVersion(utf8Json) is > CurrentVersion and var newer
                ? $"it has format version {newer}, written by a newer version of Dexter.Sessions than this one ({CurrentVersion}); upgrade the package"
                : "it is not valid JSON (" + e.Message + ")";
            return false;
        }

        if (record is null)
        {
            problem = "it is empty";
            return false;
        }

        if (record.Version is < 1 or > CurrentVersion)
        {
            problem = record.Version > CurrentVersion
                ? $"it has format version {record.Version}, written by a newer version of Dexter.Sessions than this one ({CurrentVersion}); upgrade the package"
                : $"its format version {record.Version} is not known";
            return false;
        }

        if (record.Id == 0)
        {
            record.Id = missingId;
        }

        byte[]? sealedContent = null;
        if (record.Sealed is not null)
        {
            if (record.Version < 3 || record.Query is not null || record.Answer is not null || record.Summary is not null || record.Messages is not null)
            {
                problem = "it has sealed content beside content in clear, or a format version before 3";
                return false;
            }

            sealedContent = FromBase64Url(record.Sealed);
            if (sealedContent is not { Length: > 0 })
            {
                problem = "its sealed content is not base64url";
                return false;
            }
        }

        if (record.Id < 1 || (sealedContent is null && (record.Query is null || record.Answer is null)))
        {
            problem = "it lacks the turn id, query or answer";
            return false;
        }

        if (record.Embedding is { Length: var length } && length % sizeof(float) != 0)
        {
            problem = "its embedding is not a whole number of float32 values";
            return false;
        }

        problem = null;
        message = new Message
        {
            Id = record.Id,
            Query = record.Query ?? string.Empty,
            Answer = record.Answer ?? string.Empty,
            Summary = record.Summary ?? string.Empty,
            CreatedAt = record.CreatedAt,
            InputTokenCount = record.InputTokenCount,
            OutputTokenCount = record.OutputTokenCount,
            ResponseTime = record.ResponseTimeTicks is { } ticks ? TimeSpan.FromTicks(ticks) : null,
            SummarizerFellBack = record.SummarizerFellBack,
            SelectorFellBack = record.SelectorFellBack,
            Interrupted = record.Interrupted,
            TokenCount = record.TokenCount,
            Embedding = record.Embedding is null ? ReadOnlyMemory<float>.Empty : DecodeEmbedding(record.Embedding),
            ChatMessages = record.Messages is { Count: > 0 } messages ? [.. messages] : [],
            SealedContent = sealedContent,
        };
        return true;
    }

    private static string ToBase64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Decodes base64url without padding; <see langword="null"/> unless the text is exactly what <see cref="ToBase64Url"/> writes.</summary>
    private static byte[]? FromBase64Url(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')
            {
                return null;
            }
        }

        if (text.Length % 4 == 1)
        {
            return null;
        }

        var padded = text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4);
        var bytes = Convert.FromBase64String(padded);

        // The unused low bits of the last character must be zero, so that every damaged character is noticed.
        return ToBase64Url(bytes) == text ? bytes : null;
    }

    /// <summary>
    /// Reads the turn id a record starts with (<c>{"id":N,</c>), even when the rest of the record is damaged, so that an error
    /// can name the turn.
    /// </summary>
    /// <param name="utf8Json">The record, whole or damaged.</param>
    /// <param name="id">The id, when the record starts with a readable one.</param>
    /// <returns><see langword="true"/> when a positive id was read.</returns>
    public static bool TryReadId(ReadOnlySpan<byte> utf8Json, out int id)
    {
        ReadOnlySpan<byte> prefix = "{\"id\":"u8;
        if (utf8Json.StartsWith(prefix)
            && System.Buffers.Text.Utf8Parser.TryParse(utf8Json[prefix.Length..], out int value, out var consumed)
            && value > 0
            && utf8Json.Length > prefix.Length + consumed
            && utf8Json[prefix.Length + consumed] == (byte)',')
        {
            id = value;
            return true;
        }

        id = 0;
        return false;
    }

    /// <summary>
    /// The error for a record that <see cref="TryDeserialize(ReadOnlySpan{byte}, out Message?, out string?)"/> could not read: <c>Turn N of session 'id' {location} cannot
    /// be read: its record {problem}.</c> (<c>A turn of session …</c> when even its id is damaged), with what to do.
    /// </summary>
    /// <param name="utf8Json">The record that could not be read.</param>
    /// <param name="sessionId">Its session.</param>
    /// <param name="location">Where the store keeps it, for example <c>in Redis at 127.0.0.1:6379</c>.</param>
    /// <param name="problem">What <see cref="TryDeserialize(ReadOnlySpan{byte}, out Message?, out string?)"/> said.</param>
    /// <returns>The exception to throw.</returns>
    public static SessionStoreException UnreadableRecordException(ReadOnlySpan<byte> utf8Json, string sessionId, string location, string problem)
    {
        var subject = TryReadId(utf8Json, out var id)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Turn {id} of session '{sessionId}'")
            : $"A turn of session '{sessionId}'";
        return new SessionStoreException(
            $"{subject} {location} cannot be read: its record {problem}. " +
            "Other sessions are not affected; delete this session (DeleteAsync) to start it again.",
            sessionId,
            innerException: null);
    }

    private static int? ReadVersion(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8Json.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("v", out var version)
                && version.TryGetInt32(out var value) ? value : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Encodes an embedding as float32 little-endian bytes, the form stores keep in binary columns.</summary>
    /// <param name="embedding">The vector.</param>
    /// <returns>4 bytes per value.</returns>
    public static byte[] EncodeEmbedding(ReadOnlySpan<float> embedding)
    {
        var bytes = new byte[embedding.Length * sizeof(float)];
        for (var i = 0; i < embedding.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), embedding[i]);
        }

        return bytes;
    }

    /// <summary>Decodes what <see cref="EncodeEmbedding"/> wrote.</summary>
    /// <param name="bytes">Float32 little-endian bytes.</param>
    /// <returns>The vector.</returns>
    /// <exception cref="ArgumentException">The length is not a multiple of 4.</exception>
    public static float[] DecodeEmbedding(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new ArgumentException("An encoded embedding must have a whole number of float32 values (a multiple of 4 bytes).", nameof(bytes));
        }

        var values = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }

        return values;
    }
}
