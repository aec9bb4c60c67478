using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Dexter.Sessions;

/// <summary>
/// Creates and validates session ids.
/// </summary>
/// <remarks>
/// A valid session id has 1 to <see cref="MaxLength"/> characters, each an ASCII letter, an ASCII digit,
/// <c>-</c> or <c>_</c>. Anything else is rejected before it can reach a store key, a log or a cookie.
/// New ids carry 128 bits from a cryptographic random source.
/// </remarks>
public static class SessionId
{
    /// <summary>The longest session id accepted, in characters.</summary>
    public const int MaxLength = 128;

    /// <summary>Creates a new session id: 128 random bits from a cryptographic source, as 32 lowercase hexadecimal characters.</summary>
    /// <returns>The new id.</returns>
    public static string New() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>Tells whether <paramref name="sessionId"/> is a valid session id.</summary>
    /// <param name="sessionId">The candidate id.</param>
    /// <returns><see langword="true"/> when the id is valid.</returns>
    public static bool IsValid([NotNullWhen(true)] string? sessionId)
    {
        if (string.IsNullOrEmpty(sessionId) || sessionId.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in sessionId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws when <paramref name="sessionId"/> is not a valid session id.</summary>
    /// <param name="sessionId">The id to check.</param>
    /// <param name="paramName">The name of the parameter that carried it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sessionId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is empty, too long or has a character that is not allowed.</exception>
    public static void ThrowIfInvalid([NotNull] string? sessionId, [CallerArgumentExpression(nameof(sessionId))] string? paramName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId, paramName);
        if (!IsValid(sessionId))
        {
            throw new ArgumentException(
                $"The session id is not valid: it must have 1 to {MaxLength} characters, each an ASCII letter, digit, '-' or '_'.",
                paramName);
        }
    }

    /// <summary>The prefix of every key <see cref="FromConversationId"/> makes from an id that is not itself a valid session id.</summary>
    public const string ConversationKeyPrefix = "cid_";

    /// <summary>
    /// Maps any conversation id (<c>ChatOptions.ConversationId</c>, an Agent Framework conversation id, <c>thread:42</c>,
    /// <c>user@tenant/chat</c>, <c>{GUID}</c>…) to a valid session id, so ids of other libraries are never rejected.
    /// </summary>
    /// <param name="conversationId">The conversation id; any non-empty string.</param>
    /// <returns>
    /// <paramref name="conversationId"/> itself when it is a valid session id that does not start with <see cref="ConversationKeyPrefix"/>;
    /// otherwise <c>cid_b</c> followed by the base64url form of its UTF-8 bytes when that fits in <see cref="MaxLength"/> characters
    /// (ids up to 92 bytes), else <c>cid_h</c> followed by the base64url form of its SHA-256 hash.
    /// </returns>
    /// <remarks>
    /// The mapping is stable (the same id always gives the same key, in every process and version) and keeps ids apart: ids passed
    /// through never start with the prefix, encoded ids are reversible, and only ids longer than 92 bytes share the SHA-256 space.
    /// Read such a session from a store with the mapped key: <c>store.GetAsync(SessionId.FromConversationId(id))</c>.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="conversationId"/> is <see langword="null"/> or empty.</exception>
    public static string FromConversationId(string conversationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        if (IsValid(conversationId) && !conversationId.StartsWith(ConversationKeyPrefix, StringComparison.Ordinal))
        {
            return conversationId;
        }

        var bytes = Encoding.UTF8.GetBytes(conversationId);
        var encoded = ToBase64Url(bytes);
        return ConversationKeyPrefix.Length + 1 + encoded.Length <= MaxLength
            ? ConversationKeyPrefix + "b" + encoded
            : ConversationKeyPrefix + "h" + ToBase64Url(SHA256.HashData(bytes));
    }

    private static string ToBase64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
