namespace Dexter.Sessions;

/// <summary>
/// A turn was answered but not recorded, because its session was deleted (or expired) while the answer was produced: a
/// delete wins over a turn in flight, so a cleared conversation does not come back.
/// </summary>
public class SessionDeletedException : SessionStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public SessionDeletedException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What happened.</param>
    public SessionDeletedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public SessionDeletedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance about one session.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="sessionId">The session that was deleted.</param>
    /// <param name="innerException">The cause.</param>
    public SessionDeletedException(string message, string? sessionId, Exception? innerException)
        : base(message, sessionId, innerException)
    {
    }

    /// <summary>The exception for a turn of <paramref name="sessionId"/> that was answered after the session was deleted.</summary>
    internal static SessionDeletedException TurnNotRecorded(string sessionId) => new(
        $"Session '{sessionId}' was deleted while this turn was answered; the turn was not recorded. Create a session to go on.",
        sessionId,
        innerException: null);
}
