namespace Dexter.Sessions;

/// <summary>
/// A session store could not be reached in time (for example Redis is down). A read can be retried; the outcome of a
/// write whose answer did not arrive is unknown (it may have been applied).
/// The message names the endpoint and what to check. The same store instance works again once the backend is back.
/// </summary>
public class SessionStoreUnavailableException : SessionStoreException
{
    /// <summary>Initializes a new instance.</summary>
    public SessionStoreUnavailableException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public SessionStoreUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public SessionStoreUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance about one endpoint and session.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="endpoint">The endpoint that did not answer.</param>
    /// <param name="sessionId">The session concerned.</param>
    /// <param name="innerException">The cause.</param>
    public SessionStoreUnavailableException(string message, string? endpoint, string? sessionId, Exception? innerException)
        : base(message, sessionId, innerException)
    {
        Endpoint = endpoint;
    }

    /// <summary>Gets the endpoint that did not answer, when known.</summary>
    public string? Endpoint { get; }
}
