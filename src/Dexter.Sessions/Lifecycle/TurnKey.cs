namespace Dexter.Sessions;

/// <summary>Checks turn keys (<see cref="Message.TurnKey"/>): the keys that make a retried turn be recorded once.</summary>
public static class TurnKey
{
    /// <summary>The longest turn key accepted, in characters.</summary>
    public const int MaxLength = 128;

    /// <summary>Tells whether <paramref name="turnKey"/> can be used as a turn key: 1 to <see cref="MaxLength"/> printable ASCII characters.</summary>
    /// <param name="turnKey">The key.</param>
    /// <returns><see langword="true"/> when the key is valid.</returns>
    public static bool IsValid(string? turnKey)
    {
        if (string.IsNullOrEmpty(turnKey) || turnKey.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in turnKey)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws when <paramref name="turnKey"/> is not a valid turn key.</summary>
    /// <param name="turnKey">The key.</param>
    /// <param name="paramName">The parameter name reported.</param>
    /// <exception cref="ArgumentException">The key is not valid.</exception>
    public static void ThrowIfInvalid(string? turnKey, string paramName = "turnKey")
    {
        if (!IsValid(turnKey))
        {
            throw new ArgumentException(
                $"A turn key is 1 to {MaxLength} printable ASCII characters without spaces (a UUID, say); '{turnKey}' is not one.", paramName);
        }
    }

    /// <summary>Throws when a turn carries a <see cref="Message.TurnKey"/> that is not a valid turn key.</summary>
    /// <param name="message">The turn.</param>
    /// <exception cref="ArgumentException">The turn's key is not valid.</exception>
    public static void ThrowIfInvalidKeyOf(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.TurnKey is not null)
        {
            ThrowIfInvalid(message.TurnKey, nameof(message));
        }
    }
}
