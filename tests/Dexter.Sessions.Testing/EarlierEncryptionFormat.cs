using System.Buffers.Binary;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Dexter.Sessions.Testing;

/// <summary>
/// Turns as encryption at rest wrote them before format version 3: the content protected on its own and kept as
/// <c>dxenc:1:</c> + base64 in the query field, a later summary likewise in the summary field, and an encrypted embedding
/// packed into floats behind a marker value; records at format version 2. Tests write these raw and read them with the
/// current code.
/// </summary>
public static class EarlierEncryptionFormat
{
    private const float EmbeddingMarker = -15_000_001f;

    /// <summary>
    /// Three turns of one session as an earlier version handed them to its store: turn 1 appended encrypted (bound to its time),
    /// turn 2 encrypted with a summary written later, turn 3 written before encryption was on. Ids are set.
    /// </summary>
    public static Message[] StoredTurns(IDataProtectionProvider dataProtection, string sessionId, string marker)
    {
        var secrets = ExpectedTurns(marker);
        return
        [
            Turn(dataProtection, sessionId, secrets[0], id: 0) with { Id = 1 },
            Turn(dataProtection, sessionId, secrets[1] with { Summary = marker + " summary" }, id: 2) with
            {
                Id = 2,
                Summary = TurnSummary(dataProtection, sessionId, 2, secrets[1].Summary),
            },
            secrets[2],
        ];
    }

    /// <summary>The turns <see cref="StoredTurns"/> hold, as they read back.</summary>
    public static Message[] ExpectedTurns(string marker)
    {
        var turn = EncryptionAtRestSecrets.Turn(marker);
        return
        [
            turn with { Id = 1 },
            turn with { Id = 2, Summary = marker + " late summary", CreatedAt = turn.CreatedAt.AddMinutes(1) },
            turn with { Id = 3, Query = "clear query", Answer = "clear answer", ChatMessages = [], Embedding = new[] { 3f }, CreatedAt = turn.CreatedAt.AddMinutes(2) },
        ];
    }

    /// <summary>The turn as the store received it from the earlier decorator (<paramref name="id"/> 0 for an append).</summary>
    public static Message Turn(IDataProtectionProvider dataProtection, string sessionId, Message turn, int id, bool encryptEmbedding = true)
    {
        ArgumentNullException.ThrowIfNull(dataProtection);
        ArgumentNullException.ThrowIfNull(turn);
        var root = dataProtection.CreateProtector(EncryptionAtRestOptions.DefaultPurpose);
        var content = new Message
        {
            Query = turn.Query,
            Answer = turn.Answer,
            Summary = turn.Summary,
            CreatedAt = turn.CreatedAt,
            ChatMessages = turn.ChatMessages,
        };
        var plain = VersionTwo(TurnRecordSerializer.Serialize(content, id));
        var protectedContent = root.CreateProtector("turn").CreateProtector(sessionId).Protect(plain);
        return new Message
        {
            Id = turn.Id,
            Query = EncryptingSessionStore.CiphertextPrefix + Convert.ToBase64String(protectedContent),
            Answer = string.Empty,
            CreatedAt = turn.CreatedAt,
            InputTokenCount = turn.InputTokenCount,
            OutputTokenCount = turn.OutputTokenCount,
            ResponseTime = turn.ResponseTime,
            Embedding = turn.Embedding.IsEmpty || !encryptEmbedding ? turn.Embedding : Embedding(root, sessionId, id, turn.Embedding.Span),
        };
    }

    /// <summary>A summary written after its turn, as the earlier decorator kept it in the summary field.</summary>
    public static string TurnSummary(IDataProtectionProvider dataProtection, string sessionId, int turnId, string summary)
    {
        ArgumentNullException.ThrowIfNull(dataProtection);
        ArgumentNullException.ThrowIfNull(summary);
        var text = Encoding.UTF8.GetBytes(summary);
        var plain = new byte[sizeof(int) + text.Length];
        BinaryPrimitives.WriteInt32LittleEndian(plain, turnId);
        text.CopyTo(plain, sizeof(int));
        var protector = dataProtection.CreateProtector(EncryptionAtRestOptions.DefaultPurpose).CreateProtector("turn-summary").CreateProtector(sessionId);
        return EncryptingSessionStore.CiphertextPrefix + Convert.ToBase64String(protector.Protect(plain));
    }

    /// <summary>The record a store of format version 2 wrote for <paramref name="stored"/> (what the store received).</summary>
    public static byte[] Record(Message stored, int id) => VersionTwo(TurnRecordSerializer.Serialize(stored, id));

    // Versions 2 and 3 write a turn without sealed content alike, but for the version number.
    private static byte[] VersionTwo(byte[] record) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(record).Replace($"\"v\":{TurnRecordSerializer.CurrentVersion},", "\"v\":2,", StringComparison.Ordinal));

    private static float[] Embedding(IDataProtector root, string sessionId, int id, ReadOnlySpan<float> vector)
    {
        var plain = new byte[sizeof(int) + (vector.Length * sizeof(float))];
        BinaryPrimitives.WriteInt32LittleEndian(plain, id);
        TurnRecordSerializer.EncodeEmbedding(vector).CopyTo(plain, sizeof(int));
        var cipher = root.CreateProtector("embedding").CreateProtector(sessionId).Protect(plain);
        var floats = new float[2 + ((cipher.Length + 2) / 3)];
        floats[0] = EmbeddingMarker;
        floats[1] = cipher.Length;
        for (var i = 0; i < cipher.Length; i += 3)
        {
            floats[2 + (i / 3)] = cipher[i] | (i + 1 < cipher.Length ? cipher[i + 1] << 8 : 0) | (i + 2 < cipher.Length ? cipher[i + 2] << 16 : 0);
        }

        return floats;
    }
}
