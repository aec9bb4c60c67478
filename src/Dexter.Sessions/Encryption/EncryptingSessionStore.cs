using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dexter.Sessions;

/// <summary>
/// A store decorator that encrypts conversation content before it reaches the store it wraps (memory, Redis, SQLite,
/// PostgreSQL or any other), with ASP.NET Core Data Protection, and decrypts it when it is read.
/// </summary>
/// <remarks>
/// <para>Encrypted: each turn's query, answer, summary and chat messages (tool calls and results), its embedding vector
/// (unless <see cref="EncryptionAtRestOptions.EncryptEmbeddings"/> is off), the session's owner and the text of its rolling
/// summary. In clear, so that the store can still append in one atomic round trip, read the tail without decrypting anything
/// and compare-and-set the rolling summary: session ids, turn ids, times, token counts, response times and the turn id a
/// rolling summary covers through.</para>
/// <para>The inner store sees a turn whose <see cref="Message.Query"/> is <see cref="CiphertextPrefix"/> followed by the base64
/// of the protected content, with an empty answer, summary and chat messages. Content is protected under
/// <see cref="EncryptionAtRestOptions.Purpose"/> and the session id, and carries the turn's time (and id, when it is known at
/// writing), so a record copied to another session or over another turn cannot be read there.</para>
/// <para>A record that cannot be decrypted (its key was lost or revoked, it was altered, it was moved) makes the read throw
/// <see cref="SessionStoreException"/> naming the session and turn; nothing half-read or foreign is ever returned. Records
/// written before encryption was turned on (without the prefix) are read as they are, so encryption can be turned on for an
/// existing store; they stay in clear until the session is written again with <see cref="SetAsync"/> or deleted.</para>
/// <para>Keys are the host's: whatever <c>services.AddDataProtection()</c> chose (a directory, Redis, a database, a key vault)
/// and its rotation. Content protected with a retired key still decrypts as long as that key stays in the key ring.</para>
/// </remarks>
public sealed partial class EncryptingSessionStore : DelegatingSessionStore
{
    /// <summary>The start of every value this store encrypted; values without it were written in clear.</summary>
    public const string CiphertextPrefix = "dxenc:1:";

    // An encrypted embedding is kept as floats that every store round-trips exactly: a marker, the byte count, then the
    // ciphertext three bytes per float (integers below 2^24 are exact in float32).
    private const float EmbeddingMarker = -15_000_001f;

    private readonly IDataProtector _turnProtector;
    private readonly IDataProtector _embeddingProtector;
    private readonly IDataProtector _ownerProtector;
    private readonly IDataProtector _turnSummaryProtector;
    private readonly IDataProtector _summaryProtector;
    private readonly bool _encryptEmbeddings;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="innerStore">The store that keeps the encrypted records.</param>
    /// <param name="dataProtectionProvider">The host's Data Protection (<c>services.AddDataProtection()</c>).</param>
    /// <param name="options">The settings; the defaults when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <param name="disposeInner">Whether disposing this store disposes <paramref name="innerStore"/>.</param>
    public EncryptingSessionStore(
        ISessionStore innerStore,
        IDataProtectionProvider dataProtectionProvider,
        EncryptionAtRestOptions? options = null,
        ILogger<EncryptingSessionStore>? logger = null,
        bool disposeInner = false)
        : base(innerStore, disposeInner)
    {
        ArgumentNullException.ThrowIfNull(dataProtectionProvider);
        options ??= new EncryptionAtRestOptions();
        var root = dataProtectionProvider.CreateProtector(options.Purpose);
        _turnProtector = root.CreateProtector("turn");
        _embeddingProtector = root.CreateProtector("embedding");
        _ownerProtector = root.CreateProtector("owner");
        _turnSummaryProtector = root.CreateProtector("turn-summary");
        _summaryProtector = root.CreateProtector("summary");
        _encryptEmbeddings = options.EncryptEmbeddings;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Log.Wrapped(_logger, innerStore.GetType().Name);
    }

    /// <inheritdoc />
    public override async Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var history = await InnerStore.GetAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return history is null ? null : new MessageHistory(Decrypt(sessionId, history.GetAll()));
    }

    /// <inheritdoc />
    public override Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(history);
        var turns = history.GetAll();
        var encrypted = new List<Message>(turns.Count);
        foreach (var turn in turns)
        {
            encrypted.Add(Encrypt(sessionId, turn, turn.Id));
        }

        return InnerStore.SetAsync(sessionId, new MessageHistory(encrypted), cancellationToken);
    }

    /// <inheritdoc />
    public override Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return InnerStore.CreateAsync(sessionId, owner is null ? null : EncryptOwner(sessionId, owner), cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var metadata = await InnerStore.GetMetadataAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return metadata?.Owner is { } owner && owner.StartsWith(CiphertextPrefix, StringComparison.Ordinal)
            ? metadata with { Owner = DecryptOwner(sessionId, owner) }
            : metadata;
    }

    /// <inheritdoc />
    public override async Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(message);

        // The store assigns the id, so the content is bound to the session and the turn's time; the caller gets its own turn back.
        var encrypted = Encrypt(sessionId, message, id: 0) with { TurnKey = message.TurnKey };
        var recorded = await InnerStore.AppendAsync(sessionId, encrypted, cancellationToken).ConfigureAwait(false);
        return AppendedOrKeyed(sessionId, message, encrypted, recorded);
    }

    /// <inheritdoc />
    public override async Task<Message?> AppendToExistingAsync(string sessionId, Message message, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(message);
        var encrypted = Encrypt(sessionId, message, id: 0) with { TurnKey = message.TurnKey };
        var recorded = await InnerStore.AppendToExistingAsync(sessionId, encrypted, cancellationToken).ConfigureAwait(false);
        return recorded is null ? null : AppendedOrKeyed(sessionId, message, encrypted, recorded);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default)
    {
        var turns = await InnerStore.GetRecentAsync(sessionId, count, cancellationToken).ConfigureAwait(false);
        return Decrypt(sessionId, turns);
    }

    /// <inheritdoc />
    public override Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        if (!_encryptEmbeddings)
        {
            return InnerStore.UpdateEmbeddingsAsync(sessionId, messages, cancellationToken);
        }

        var encrypted = new List<Message>(messages.Count);
        foreach (var message in messages)
        {
            encrypted.Add(new Message
            {
                Id = message.Id,
                Query = string.Empty,
                Answer = string.Empty,
                CreatedAt = message.CreatedAt,
                Embedding = message.Embedding.IsEmpty ? message.Embedding : EncryptEmbedding(sessionId, message.Id, message.Embedding.Span),
            });
        }

        return InnerStore.UpdateEmbeddingsAsync(sessionId, encrypted, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The summary is encrypted on its own (bound to the session and the turn id) and kept in the stored turn's summary field,
    /// so the inner store replaces it without the turn's other content being decrypted or written again.
    /// </remarks>
    public override Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnSummary(sessionId, turnId, summary);
        return InnerStore.UpdateTurnSummaryAsync(sessionId, turnId, EncryptTurnSummary(sessionId, turnId, summary), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The text is decrypted; <see cref="SessionSummary.ThroughTurnId"/> and <see cref="SessionSummary.UpdatedAt"/> are kept in clear.</remarks>
    public override async Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var stored = await InnerStore.GetSummaryAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (stored is null || !stored.Text.StartsWith(CiphertextPrefix, StringComparison.Ordinal))
        {
            return stored;
        }

        return stored with { Text = DecryptSummary(sessionId, stored) };
    }

    /// <inheritdoc />
    /// <remarks>
    /// The text is encrypted (bound to the session and <see cref="SessionSummary.ThroughTurnId"/>); the turn ids stay in clear, so
    /// the inner store's compare-and-set works as it does without encryption.
    /// </remarks>
    public override Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidSummary(sessionId, summary, expectedThroughTurnId);
        return InnerStore.TrySetSummaryAsync(sessionId, summary with { Text = EncryptSummary(sessionId, summary) }, expectedThroughTurnId, cancellationToken);
    }

    private Message Encrypt(string sessionId, Message message, int id)
    {
        var content = new Message
        {
            Query = message.Query,
            Answer = message.Answer,
            Summary = message.Summary,
            CreatedAt = message.CreatedAt,
            ChatMessages = message.ChatMessages,
        };
        var protectedContent = _turnProtector.CreateProtector(sessionId).Protect(TurnRecordSerializer.Serialize(content, id));
        return new Message
        {
            Id = message.Id,
            Query = CiphertextPrefix + Convert.ToBase64String(protectedContent),
            Answer = string.Empty,
            CreatedAt = message.CreatedAt,
            InputTokenCount = message.InputTokenCount,
            OutputTokenCount = message.OutputTokenCount,
            ResponseTime = message.ResponseTime,
            Embedding = message.Embedding.IsEmpty || !_encryptEmbeddings
                ? message.Embedding
                : EncryptEmbedding(sessionId, id, message.Embedding.Span),
        };
    }

    private List<Message> Decrypt(string sessionId, IReadOnlyList<Message> turns)
    {
        var result = new List<Message>(turns.Count);
        foreach (var turn in turns)
        {
            result.Add(Decrypt(sessionId, turn));
        }

        return result;
    }

    private Message Decrypt(string sessionId, Message stored)
    {
        var encrypted = stored.Query.StartsWith(CiphertextPrefix, StringComparison.Ordinal);
        if (encrypted && _encryptEmbeddings && !stored.Embedding.IsEmpty && !IsEncryptedEmbedding(stored.Embedding.Span))
        {
            // With EncryptEmbeddings on, an encrypted turn's vector is written encrypted: a clear one is damaged or substituted.
            throw Undecryptable(sessionId, stored.Id, "its encrypted embedding was altered (its marker is missing)", null);
        }

        var embedding = IsEncryptedEmbedding(stored.Embedding.Span)
            ? DecryptEmbedding(sessionId, stored.Id, stored.Embedding.Span)
            : stored.Embedding;
        // A summary written after the turn (UpdateTurnSummaryAsync) is encrypted on its own in the summary field.
        var storedSummary = stored.Summary.StartsWith(CiphertextPrefix, StringComparison.Ordinal)
            ? DecryptTurnSummary(sessionId, stored.Id, stored.Summary)
            : null;
        if (!encrypted)
        {
            Log.ClearTurnRead(_logger, sessionId, stored.Id);
            return stored with { Summary = storedSummary ?? stored.Summary, Embedding = embedding };
        }

        byte[] json;
        try
        {
            json = _turnProtector.CreateProtector(sessionId).Unprotect(Convert.FromBase64String(stored.Query[CiphertextPrefix.Length..]));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            throw Undecryptable(sessionId, stored.Id, "its key is not in the Data Protection key ring (lost or revoked), or the record was altered or copied from another session", e);
        }

        // Content appended before its id was known is written without one ({"v":…); give it the id the store keeps.
        if (json.AsSpan().StartsWith("{\"v\":"u8))
        {
            json = [.. Encoding.UTF8.GetBytes("{\"id\":" + stored.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + ","), .. json.AsSpan(1)];
        }

        if (!TurnRecordSerializer.TryDeserialize(json, out var content, out var problem))
        {
            throw Undecryptable(sessionId, stored.Id, "its decrypted content cannot be read: " + problem, null);
        }

        if (content.Id != stored.Id || (content.CreatedAt - stored.CreatedAt).Duration() > TimeSpan.FromMilliseconds(1))
        {
            throw Undecryptable(sessionId, stored.Id, "its content belongs to another turn (it was copied over this one)", null);
        }

        return stored with
        {
            Query = content.Query,
            Answer = content.Answer,
            Summary = storedSummary ?? content.Summary,
            ChatMessages = content.ChatMessages,
            Embedding = embedding,
        };
    }

    private ReadOnlyMemory<float> EncryptEmbedding(string sessionId, int id, ReadOnlySpan<float> vector)
    {
        // The turn id (0 when not yet known) goes in front of the vector, so a vector copied to another turn is refused.
        var plain = new byte[sizeof(int) + (vector.Length * sizeof(float))];
        BinaryPrimitives.WriteInt32LittleEndian(plain, id);
        TurnRecordSerializer.EncodeEmbedding(vector).CopyTo(plain, sizeof(int));
        var cipher = _embeddingProtector.CreateProtector(sessionId).Protect(plain);

        var floats = new float[2 + ((cipher.Length + 2) / 3)];
        floats[0] = EmbeddingMarker;
        floats[1] = cipher.Length;
        for (var i = 0; i < cipher.Length; i += 3)
        {
            var value = cipher[i] | (i + 1 < cipher.Length ? cipher[i + 1] << 8 : 0) | (i + 2 < cipher.Length ? cipher[i + 2] << 16 : 0);
            floats[2 + (i / 3)] = value;
        }

        return floats;
    }

    private static bool IsEncryptedEmbedding(ReadOnlySpan<float> stored) =>
        stored.Length >= 2 && stored[0] == EmbeddingMarker;

    private ReadOnlyMemory<float> DecryptEmbedding(string sessionId, int id, ReadOnlySpan<float> stored)
    {
        var length = (int)stored[1];
        if (length < 0 || length != stored[1] || (length + 2) / 3 != stored.Length - 2)
        {
            throw Undecryptable(sessionId, id, "its encrypted embedding was altered (its length does not match)", null);
        }

        var cipher = new byte[length];
        for (var i = 0; i < length; i += 3)
        {
            // Each value packs three bytes (fewer in the last); anything else in a value means the stored floats were altered.
            var stored24 = stored[2 + (i / 3)];
            var limit = 1 << (8 * Math.Min(3, length - i));
            var value = (int)stored24;
            if (value != stored24 || value < 0 || value >= limit)
            {
                throw Undecryptable(sessionId, id, "its encrypted embedding was altered", null);
            }

            cipher[i] = (byte)value;
            if (i + 1 < length)
            {
                cipher[i + 1] = (byte)(value >> 8);
            }

            if (i + 2 < length)
            {
                cipher[i + 2] = (byte)(value >> 16);
            }
        }

        byte[] plain;
        try
        {
            plain = _embeddingProtector.CreateProtector(sessionId).Unprotect(cipher);
        }
        catch (CryptographicException e)
        {
            throw Undecryptable(sessionId, id, "its embedding's key is not in the Data Protection key ring (lost or revoked), or the embedding was altered or copied from another session", e);
        }

        var boundId = BinaryPrimitives.ReadInt32LittleEndian(plain);
        if (boundId != 0 && boundId != id)
        {
            throw Undecryptable(sessionId, id, "its embedding belongs to another turn (it was copied over this one)", null);
        }

        return TurnRecordSerializer.DecodeEmbedding(plain.AsSpan(sizeof(int)));
    }

    private string EncryptTurnSummary(string sessionId, int turnId, string summary)
    {
        // The turn id goes in front of the text, so a summary copied to another turn is refused.
        var text = Encoding.UTF8.GetBytes(summary);
        var plain = new byte[sizeof(int) + text.Length];
        BinaryPrimitives.WriteInt32LittleEndian(plain, turnId);
        text.CopyTo(plain, sizeof(int));
        return CiphertextPrefix + Convert.ToBase64String(_turnSummaryProtector.CreateProtector(sessionId).Protect(plain));
    }

    private string DecryptTurnSummary(string sessionId, int turnId, string stored)
    {
        byte[] plain;
        try
        {
            plain = _turnSummaryProtector.CreateProtector(sessionId).Unprotect(Convert.FromBase64String(stored[CiphertextPrefix.Length..]));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            throw Undecryptable(sessionId, turnId, "its summary's key is not in the Data Protection key ring (lost or revoked), or the summary was altered or copied from another session", e);
        }

        if (plain.Length < sizeof(int) || BinaryPrimitives.ReadInt32LittleEndian(plain) != turnId)
        {
            throw Undecryptable(sessionId, turnId, "its summary belongs to another turn (it was copied over this one)", null);
        }

        return Encoding.UTF8.GetString(plain.AsSpan(sizeof(int)));
    }

    private string EncryptSummary(string sessionId, SessionSummary summary)
    {
        // The last turn id it covers goes in front of the text, so an older summary copied over a newer one is refused.
        var text = Encoding.UTF8.GetBytes(summary.Text);
        var plain = new byte[sizeof(int) + text.Length];
        BinaryPrimitives.WriteInt32LittleEndian(plain, summary.ThroughTurnId);
        text.CopyTo(plain, sizeof(int));
        return CiphertextPrefix + Convert.ToBase64String(_summaryProtector.CreateProtector(sessionId).Protect(plain));
    }

    private string DecryptSummary(string sessionId, SessionSummary stored)
    {
        byte[] plain;
        try
        {
            plain = _summaryProtector.CreateProtector(sessionId).Unprotect(Convert.FromBase64String(stored.Text[CiphertextPrefix.Length..]));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            throw UndecryptableSummary(sessionId, "its key is not in the Data Protection key ring (lost or revoked), or the summary was altered or copied from another session", e);
        }

        if (plain.Length < sizeof(int) || BinaryPrimitives.ReadInt32LittleEndian(plain) != stored.ThroughTurnId)
        {
            throw UndecryptableSummary(sessionId, "its text was written for another summary (an older one was copied over it)", null);
        }

        return Encoding.UTF8.GetString(plain.AsSpan(sizeof(int)));
    }

    private SessionStoreException UndecryptableSummary(string sessionId, string reason, Exception? cause)
    {
        Log.SummaryNotDecrypted(_logger, sessionId, reason, cause);
        return new SessionStoreException(
            $"The rolling summary of session '{sessionId}' cannot be decrypted: {reason}. Restore the Data Protection key ring the session " +
            "was written with (and keep retired keys in it), or delete the session.",
            sessionId,
            cause);
    }

    private string EncryptOwner(string sessionId, string owner) =>
        CiphertextPrefix + Convert.ToBase64String(_ownerProtector.CreateProtector(sessionId).Protect(Encoding.UTF8.GetBytes(owner)));

    private string DecryptOwner(string sessionId, string stored)
    {
        try
        {
            return Encoding.UTF8.GetString(_ownerProtector.CreateProtector(sessionId).Unprotect(Convert.FromBase64String(stored[CiphertextPrefix.Length..])));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            Log.OwnerNotDecrypted(_logger, sessionId, e);
            throw new SessionStoreException(
                $"The owner of session '{sessionId}' cannot be decrypted: its key is not in the Data Protection key ring (lost or revoked), " +
                "or the record was altered or copied from another session. Restore the key ring the session was written with, or delete the session.",
                sessionId,
                e);
        }
    }

    private SessionStoreException Undecryptable(string sessionId, int turnId, string reason, Exception? cause)
    {
        Log.TurnNotDecrypted(_logger, sessionId, turnId, reason, cause);
        return new SessionStoreException(
            $"Turn {turnId} of session '{sessionId}' cannot be decrypted: {reason}. Restore the Data Protection key ring the session " +
            "was written with (and keep retired keys in it), or delete the session.",
            sessionId,
            cause);
    }
}
