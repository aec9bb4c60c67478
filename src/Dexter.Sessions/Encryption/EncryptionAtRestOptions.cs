namespace Dexter.Sessions;

/// <summary>Settings of encryption at rest (<see cref="EncryptingSessionStore"/>).</summary>
public sealed class EncryptionAtRestOptions
{
    private string _purpose = DefaultPurpose;
    private byte[]? _ownerLookupKey;

    /// <summary>The default of <see cref="Purpose"/>.</summary>
    public const string DefaultPurpose = "Dexter.Sessions.EncryptionAtRest";

    /// <summary>Gets or sets whether embedding vectors are encrypted too.</summary>
    /// <value>
    /// The default is <see langword="true"/>: vectors leak what a turn is about, so they are protected like its text. Set it to
    /// <see langword="false"/> to keep them in clear, which saves one protect per embedded turn and one unprotect per turn read.
    /// While it is <see langword="true"/>, an encrypted turn whose vector is stored in clear is refused as altered, so a store
    /// written with it <see langword="false"/> is read with it <see langword="false"/>.
    /// </value>
    public bool EncryptEmbeddings { get; set; } = true;

    /// <summary>
    /// Gets or sets the Data Protection purpose that turns are protected under; each session adds its id to it, so a record
    /// copied to another session cannot be read there.
    /// </summary>
    /// <value>
    /// The default is <see cref="DefaultPurpose"/>. Change it only to keep apps that share one key ring apart; records protected
    /// under another purpose cannot be read.
    /// </value>
    public string Purpose
    {
        get => _purpose;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _purpose = value;
        }
    }

    /// <summary>
    /// Gets or sets the secret that lets an encrypted store list sessions per owner
    /// (<see cref="ISessionStore.ListSessionsAsync"/>): with it, owners are encrypted deterministically (the same owner gives the
    /// same ciphertext, which the store's per-owner index is keyed by); without it, each session's owner is encrypted on its own and
    /// listing throws <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <value>
    /// The default is <see langword="null"/>. Give at least 32 random bytes, kept as secret as the Data Protection keys and never
    /// changed: sessions whose owner was written without it, or with another key, are not listed for their owner. Data Protection
    /// has no deterministic encryption, so this key is separate from its key ring.
    /// </value>
    /// <exception cref="ArgumentException">The key has fewer than 32 bytes.</exception>
    public byte[]? OwnerLookupKey
    {
        get => _ownerLookupKey;
        set
        {
            if (value is { Length: < 32 })
            {
                throw new ArgumentException(
                    $"The owner lookup key has {value.Length} bytes; give at least 32 random bytes (for example RandomNumberGenerator.GetBytes(32), kept as a secret).",
                    nameof(value));
            }

            _ownerLookupKey = value;
        }
    }
}
