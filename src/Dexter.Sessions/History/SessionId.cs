using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

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
}
