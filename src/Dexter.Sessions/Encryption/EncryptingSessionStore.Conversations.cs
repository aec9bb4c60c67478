using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Dexter.Sessions;

/// <summary>Titles and the per-owner listing through encryption at rest.</summary>
/// <remarks>
/// <para>A title is encrypted like the other content, bound to its session (<see cref="CiphertextPrefix"/> and base64). The title's
/// source (<see cref="SessionTitleSource"/>) stays in clear, so the inner store's compare-and-set works as without encryption.</para>
/// <para>Listing needs an owner the inner store can look up: with <see cref="EncryptionAtRestOptions.OwnerLookupKey"/>, an owner is
/// encrypted deterministically (<see cref="OwnerLookupPrefix"/>: AES-256-CBC with an IV that is the HMAC-SHA256 of the owner,
/// checked when it is decrypted), so one owner's sessions share one ciphertext. Such an owner is not bound to its session.</para>
/// </remarks>
public sealed partial class EncryptingSessionStore
{
    /// <summary>The start of an owner encrypted deterministically with <see cref="EncryptionAtRestOptions.OwnerLookupKey"/>.</summary>
    public const string OwnerLookupPrefix = CiphertextPrefix + "owner:";

    private readonly IDataProtector _titleProtector;
    private readonly OwnerLookup? _ownerLookup;

    /// <inheritdoc />
    /// <remarks>The owner is looked up by its deterministic ciphertext; titles are decrypted.</remarks>
    /// <exception cref="InvalidOperationException"><see cref="EncryptionAtRestOptions.OwnerLookupKey"/> is not set.</exception>
    public override async Task<SessionListPage> ListSessionsAsync(string owner, int limit = 50, string? cursor = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidList(owner, limit);
        if (_ownerLookup is null)
        {
            throw new InvalidOperationException(
                "Sessions cannot be listed per owner through encryption at rest without an owner lookup key: set EncryptionAtRestOptions.OwnerLookupKey " +
                "(UseEncryptionAtRest(o => o.OwnerLookupKey = …), 32 or more secret random bytes) before sessions are created.");
        }

        var page = await InnerStore.ListSessionsAsync(_ownerLookup.Encrypt(owner), limit, cursor, cancellationToken).ConfigureAwait(false);
        var sessions = new List<SessionMetadata>(page.Sessions.Count);
        foreach (var session in page.Sessions)
        {
            sessions.Add(DecryptTitle(session) with { Owner = owner });
        }

        return page with { Sessions = sessions };
    }

    /// <inheritdoc />
    /// <remarks>The title is checked and normalized, then encrypted (bound to the session) before the inner store keeps it.</remarks>
    public override Task<bool> SetTitleAsync(string sessionId, string title, SessionTitleSource source = SessionTitleSource.Owner, CancellationToken cancellationToken = default)
    {
        var plain = SessionStoreArguments.ThrowIfInvalidTitle(sessionId, title, source);
        var encrypted = CiphertextPrefix + Convert.ToBase64String(_titleProtector.CreateProtector(sessionId).Protect(Encoding.UTF8.GetBytes(plain)));
        return InnerStore.SetTitleAsync(sessionId, encrypted, source, cancellationToken);
    }

    private SessionMetadata DecryptMetadata(SessionMetadata metadata)
    {
        metadata = DecryptTitle(metadata);
        return metadata.Owner switch
        {
            { } owner when owner.StartsWith(OwnerLookupPrefix, StringComparison.Ordinal) => metadata with { Owner = DecryptLookupOwner(metadata.SessionId, owner) },
            { } owner when owner.StartsWith(CiphertextPrefix, StringComparison.Ordinal) => metadata with { Owner = DecryptOwner(metadata.SessionId, owner) },
            _ => metadata,
        };
    }

    private string EncryptOwnerForStore(string sessionId, string owner) =>
        _ownerLookup is null ? EncryptOwner(sessionId, owner) : _ownerLookup.Encrypt(owner);

    private string DecryptLookupOwner(string sessionId, string stored)
    {
        if (_ownerLookup?.TryDecrypt(stored) is { } owner)
        {
            return owner;
        }

        throw new SessionStoreException(
            $"The owner of session '{sessionId}' cannot be decrypted: it was written with another EncryptionAtRestOptions.OwnerLookupKey than this " +
            "store's (or none is set now), or it was altered. Set the key the session was written with, or delete the session.",
            sessionId,
            innerException: null);
    }

    private SessionMetadata DecryptTitle(SessionMetadata metadata)
    {
        if (metadata.Title is not { } stored || !stored.StartsWith(CiphertextPrefix, StringComparison.Ordinal))
        {
            return metadata;
        }

        try
        {
            var plain = _titleProtector.CreateProtector(metadata.SessionId).Unprotect(Convert.FromBase64String(stored[CiphertextPrefix.Length..]));
            return metadata with { Title = Encoding.UTF8.GetString(plain) };
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            throw new SessionStoreException(
                $"The title of session '{metadata.SessionId}' cannot be decrypted: its key is not in the Data Protection key ring (lost or revoked), " +
                "or it was altered or copied from another session. Restore the key ring the session was written with, or rename the session.",
                metadata.SessionId,
                e);
        }
    }

    /// <summary>Deterministic, authenticated encryption of owners (a synthetic IV: the HMAC of the owner), for the per-owner index.</summary>
    private sealed class OwnerLookup
    {
        private readonly byte[] _macKey;
        private readonly byte[] _encryptionKey;

        public OwnerLookup(byte[] key, string purpose)
        {
            _macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, salt: null, info: Encoding.UTF8.GetBytes(purpose + "\0owner-lookup-mac"));
            _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, salt: null, info: Encoding.UTF8.GetBytes(purpose + "\0owner-lookup-encryption"));
        }

        public string Encrypt(string owner)
        {
            var plain = Encoding.UTF8.GetBytes(owner);
            var iv = HMACSHA256.HashData(_macKey, plain).AsSpan(0, 16).ToArray();
            using var aes = Aes.Create();
            aes.Key = _encryptionKey;
            var cipher = aes.EncryptCbc(plain, iv);
            return OwnerLookupPrefix + Convert.ToBase64String([.. iv, .. cipher]);
        }

        public string? TryDecrypt(string stored)
        {
            try
            {
                var bytes = Convert.FromBase64String(stored[OwnerLookupPrefix.Length..]);
                if (bytes.Length < 32)
                {
                    return null;
                }

                using var aes = Aes.Create();
                aes.Key = _encryptionKey;
                var plain = aes.DecryptCbc(bytes.AsSpan(16), bytes.AsSpan(0, 16));
                var expected = HMACSHA256.HashData(_macKey, plain).AsSpan(0, 16);
                return CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(0, 16)) ? Encoding.UTF8.GetString(plain) : null;
            }
            catch (Exception e) when (e is CryptographicException or FormatException)
            {
                return null;
            }
        }
    }
}
