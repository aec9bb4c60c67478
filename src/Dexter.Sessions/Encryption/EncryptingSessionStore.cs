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
/// <para>Each turn's content (query, answer, summary, chat messages with tool calls and results, and its embedding vector unless
/// <see cref="EncryptionAtRestOptions.EncryptEmbeddings"/> is off) is sealed as one authenticated blob, which the inner store
/// keeps in the turn record's <c>sealed</c> field (format version 3 of <see cref="TurnRecordSerializer"/>). The session's owner
/// and the text of its rolling summary are encrypted too. In clear, so that the store can still append in one atomic round
/// trip, read the tail without decrypting anything and compare-and-set the rolling summary: session ids, turn ids, times, token
/// counts, response times, flags and the turn id a rolling summary covers through. The blob holds a copy of that bookkeeping,
/// so a change to it is noticed too.</para>
/// <para>The blob is protected under <see cref="EncryptionAtRestOptions.Purpose"/> and the session id, and carries the turn's
/// id (once it is known: a turn appended before the store assigned its id carries its time, and is bound to its id when its
/// summary or embedding is written), so a record copied to another session or over another turn cannot be read there. A later
/// summary (<see cref="UpdateTurnSummaryAsync"/>) or embedding (<see cref="UpdateEmbeddingsAsync"/>) re-seals the whole turn
/// through <see cref="ISessionStore.UpdateTurnsAsync"/>.</para>
/// <para>A record that cannot be decrypted (its key was lost or revoked, it was altered, it was moved) makes the read throw
/// <see cref="SessionStoreException"/> naming the session and turn; nothing half-read or foreign is ever returned. Records
/// written before encryption was turned on are read as they are, so encryption can be turned on for an existing store; they
/// stay in clear until the session is written again with <see cref="SetAsync"/>, or the turn's summary or embedding is written.
/// Turns written by earlier versions, whose content was kept behind <see cref="CiphertextPrefix"/> in the query field, are
/// read too, and re-sealed the same way.</para>
/// <para>Keys are the host's: whatever <c>services.AddDataProtection()</c> chose (a directory, Redis, a database, a key vault)
/// and its rotation. Content protected with a retired key still decrypts as long as that key stays in the key ring.</para>
/// </remarks>
public sealed partial class EncryptingSessionStore : DelegatingSessionStore
{
    /// <summary>
    /// The start of the owner and the rolling summary text this store encrypted (values without it were written in clear), and
    /// of the query field of turns encrypted by earlier versions.
    /// </summary>
    public const string CiphertextPrefix = "dxenc:1:";

    // The first byte of a sealed blob: Data Protection over the turn's record (format 3) follows.
    private const byte SealedFormat = 1;

    // Earlier versions kept an encrypted embedding as floats: a marker, the byte count, then the ciphertext three bytes per float.
    private const float EmbeddingMarker = -15_000_001f;

    private readonly IDataProtector _recordProtector;
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
        _recordProtector = root.CreateProtector("record");
        _turnProtector = root.CreateProtector("turn");
        _embeddingProtector = root.CreateProtector("embedding");
        _ownerProtector = root.CreateProtector("owner");
        _turnSummaryProtector = root.CreateProtector("turn-summary");
        _summaryProtector = root.CreateProtector("summary");
        _encryptEmbeddings = options.EncryptEmbeddings;
        _titleProtector = root.CreateProtector("title");
        _ownerLookup = options.OwnerLookupKey is { } ownerLookupKey ? new OwnerLookup(ownerLookupKey, options.Purpose) : null;
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
            encrypted.Add(Seal(sessionId, turn, turn.Id));
        }

        return InnerStore.SetAsync(sessionId, new MessageHistory(encrypted), cancellationToken);
    }

    /// <inheritdoc />
    public override Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        return InnerStore.CreateAsync(sessionId, owner is null ? null : EncryptOwnerForStore(sessionId, owner), cancellationToken);
    }

    /// <inheritdoc />
    public override async Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var metadata = await InnerStore.GetMetadataAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return metadata is null ? null : DecryptMetadata(metadata);
    }

    /// <inheritdoc />
    public override async Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(message);

        // The store assigns the id, so the content is bound to the session and the turn's time; the caller gets its own turn back.
        var encrypted = Seal(sessionId, message, id: 0) with { TurnKey = message.TurnKey };
        var recorded = await InnerStore.AppendAsync(sessionId, encrypted, cancellationToken).ConfigureAwait(false);
        return AppendedOrKeyed(sessionId, message, encrypted, recorded);
    }

    /// <inheritdoc />
    public override async Task<Message?> AppendToExistingAsync(string sessionId, Message message, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(message);
        var encrypted = Seal(sessionId, message, id: 0) with { TurnKey = message.TurnKey };
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
    /// <remarks>
    /// With <see cref="EncryptionAtRestOptions.EncryptEmbeddings"/> on, each turn is read, given its vector and sealed again as a
    /// whole (<see cref="ISessionStore.UpdateTurnsAsync"/>), and the session is then touched (<see cref="ISessionStore.TouchAsync"/>):
    /// an embedding update counts as activity, refreshing the session's expiry and last activity, as it does without encryption.
    /// With it off, the vectors are stored in clear beside the sealed content by the inner store's own update.
    /// </remarks>
    public override async Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(messages);
        if (!_encryptEmbeddings)
        {
            await InnerStore.UpdateEmbeddingsAsync(sessionId, messages, cancellationToken).ConfigureAwait(false);
            return;
        }

        var pending = new Dictionary<int, ReadOnlyMemory<float>>();
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            if (message.Id >= 1)
            {
                pending[message.Id] = message.Embedding;
            }
        }

        if (pending.Count > 0)
        {
            await InnerStore.UpdateTurnsAsync(
                sessionId,
                pending.Keys,
                stored => Seal(sessionId, Open(sessionId, stored) with { Embedding = pending[stored.Id] }, stored.Id),
                cancellationToken).ConfigureAwait(false);

            // Replacing turns is not activity; storing embeddings is, as the inner store's UpdateEmbeddingsAsync makes it.
            try
            {
                await InnerStore.TouchAsync(sessionId, cancellationToken).ConfigureAwait(false);
            }
            catch (NotSupportedException)
            {
                // A store of one's own without TouchAsync: the embeddings are stored, and the session's next turn refreshes its expiry.
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>The turn is read, given the summary and sealed again as a whole (<see cref="ISessionStore.UpdateTurnsAsync"/>).</remarks>
    public override async Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnSummary(sessionId, turnId, summary);
        var updated = await InnerStore.UpdateTurnsAsync(
            sessionId,
            [turnId],
            stored => Seal(sessionId, Open(sessionId, stored) with { Summary = summary }, turnId),
            cancellationToken).ConfigureAwait(false);
        return updated == 1;
    }

    /// <inheritdoc />
    /// <remarks>The turns are opened, updated by <paramref name="update"/> and sealed again as a whole.</remarks>
    public override Task<int> UpdateTurnsAsync(string sessionId, IReadOnlyCollection<int> turnIds, Func<Message, Message> update, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidTurnUpdate(sessionId, turnIds, update);
        return InnerStore.UpdateTurnsAsync(
            sessionId,
            turnIds,
            stored => Seal(sessionId, SessionStoreArguments.ThrowIfTurnIdChanged(stored.Id, update(Open(sessionId, stored))), stored.Id),
            cancellationToken);
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

    /// <summary>
    /// The turn as the inner store keeps it: its bookkeeping in clear and its content (with a copy of the bookkeeping) sealed as
    /// one blob, bound to the session and to <paramref name="id"/> (0 when the store has not assigned it yet).
    /// </summary>
    private Message Seal(string sessionId, Message message, int id)
    {
        var content = _encryptEmbeddings ? message : message with { Embedding = ReadOnlyMemory<float>.Empty };
        var plain = TurnRecordSerializer.Serialize(content with { SealedContent = ReadOnlyMemory<byte>.Empty }, id);
        var protectedContent = _recordProtector.CreateProtector(sessionId).Protect(plain);
        var blob = new byte[1 + protectedContent.Length];
        blob[0] = SealedFormat;
        protectedContent.CopyTo(blob, 1);
        return new Message
        {
            Id = message.Id,
            Query = string.Empty,
            Answer = string.Empty,
            CreatedAt = message.CreatedAt,
            InputTokenCount = message.InputTokenCount,
            OutputTokenCount = message.OutputTokenCount,
            ResponseTime = message.ResponseTime,
            TokenCount = message.TokenCount,
            SummarizerFellBack = message.SummarizerFellBack,
            SelectorFellBack = message.SelectorFellBack,
            Interrupted = message.Interrupted,
            Embedding = _encryptEmbeddings ? ReadOnlyMemory<float>.Empty : message.Embedding,
            SealedContent = blob,
        };
    }

    private List<Message> Decrypt(string sessionId, IReadOnlyList<Message> turns)
    {
        var result = new List<Message>(turns.Count);
        foreach (var turn in turns)
        {
            result.Add(Open(sessionId, turn));
        }

        return result;
    }

    /// <summary>The turn as it was written, from what the inner store keeps: a sealed turn, an earlier version's, or one in clear.</summary>
    private Message Open(string sessionId, Message stored)
    {
        if (stored.SealedContent.IsEmpty)
        {
            return OpenEarlierFormat(sessionId, stored);
        }

        var blob = stored.SealedContent.Span;
        if (blob[0] != SealedFormat)
        {
            throw Undecryptable(sessionId, stored.Id, "its sealed content has a format this version does not know, or was altered", null);
        }

        byte[] plain;
        try
        {
            plain = _recordProtector.CreateProtector(sessionId).Unprotect(blob[1..].ToArray());
        }
        catch (CryptographicException e)
        {
            throw Undecryptable(sessionId, stored.Id, "its key is not in the Data Protection key ring (lost or revoked), or the record was altered or copied from another session", e);
        }

        // Content sealed before the store assigned the id carries none: it is bound to the turn's time instead.
        if (!TurnRecordSerializer.TryDeserialize(plain, missingId: stored.Id, out var content, out var problem))
        {
            throw Undecryptable(sessionId, stored.Id, "its decrypted content cannot be read: " + problem, null);
        }

        if (content.Id != stored.Id || (content.CreatedAt - stored.CreatedAt).Duration() > TimeSpan.FromMilliseconds(1))
        {
            throw Undecryptable(sessionId, stored.Id, "its content belongs to another turn (it was copied over this one)", null);
        }

        if (content.InputTokenCount != stored.InputTokenCount
            || content.OutputTokenCount != stored.OutputTokenCount
            || content.ResponseTime != stored.ResponseTime
            || content.TokenCount != stored.TokenCount
            || content.SummarizerFellBack != stored.SummarizerFellBack
            || content.SelectorFellBack != stored.SelectorFellBack
            || content.Interrupted != stored.Interrupted)
        {
            throw Undecryptable(sessionId, stored.Id, "its fields in clear do not match its sealed content (the record was altered)", null);
        }

        if (!content.Embedding.IsEmpty && !stored.Embedding.IsEmpty)
        {
            throw Undecryptable(sessionId, stored.Id, "it has an embedding in clear beside its sealed one (the record was altered)", null);
        }

        if (_encryptEmbeddings && !stored.Embedding.IsEmpty)
        {
            // With EncryptEmbeddings on, a turn's vector is sealed with its content: a clear one is damaged or substituted.
            throw Undecryptable(sessionId, stored.Id, "its embedding is in clear although embeddings are encrypted (the record was altered)", null);
        }

        return content with
        {
            Id = stored.Id,
            CreatedAt = stored.CreatedAt,
            Embedding = content.Embedding.IsEmpty ? stored.Embedding : content.Embedding,
        };
    }

    /// <summary>Reads a turn written in clear, or by an earlier version (content behind <see cref="CiphertextPrefix"/> in the query).</summary>
    private Message OpenEarlierFormat(string sessionId, Message stored)
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
        if (!TurnRecordSerializer.TryDeserialize(json, missingId: stored.Id, out var content, out var problem))
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
