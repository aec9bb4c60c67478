namespace Dexter.Sessions;

/// <summary>
/// The exception thrown when a turn key (<see cref="Message.TurnKey"/>) is used again in a session for a different question:
/// a retry must send the same question with the same key, and a new question needs a new key.
/// </summary>
public sealed class TurnKeyConflictException : SessionStoreException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="turnKey">The key used again.</param>
    /// <param name="turnId">The id of the turn recorded with the key.</param>
    public TurnKeyConflictException(string sessionId, string turnKey, int turnId)
        : base(
            $"The turn key '{turnKey}' was already used in session '{sessionId}' for turn {turnId}, which asked a different question. " +
            "Send a retry with the same question as the first attempt, or use a new key for a new question.",
            sessionId,
            innerException: null)
    {
        TurnKey = turnKey;
        TurnId = turnId;
    }

    /// <summary>Gets the key used again.</summary>
    public string TurnKey { get; }

    /// <summary>Gets the id of the turn recorded with the key.</summary>
    public int TurnId { get; }
}
