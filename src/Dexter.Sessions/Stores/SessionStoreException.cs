namespace Dexter.Sessions;

/// <summary>A session store failed to read or write a session, for example because a stored record cannot be read.</summary>
public class SessionStoreException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public SessionStoreException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public SessionStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public SessionStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance about one session.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="sessionId">The session concerned.</param>
    /// <param name="innerException">The cause.</param>
    public SessionStoreException(string message, string? sessionId, Exception? innerException)
        : base(message, innerException)
    {
        SessionId = sessionId;
    }

    /// <summary>Gets the session concerned, when the failure concerns one.</summary>
    public string? SessionId { get; }
}
