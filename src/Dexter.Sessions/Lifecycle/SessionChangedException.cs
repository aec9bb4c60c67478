namespace Dexter.Sessions;

/// <summary>
/// The exception thrown when a session changed between reading it and rewinding it (<see cref="RewindStatus.Conflict"/>): a
/// turn was appended or the session rewound meanwhile, so nothing was removed.
/// </summary>
public sealed class SessionChangedException : SessionStoreException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="expectedLastTurnId">The last turn the caller read.</param>
    /// <param name="lastTurnId">The session's last turn now.</param>
    public SessionChangedException(string sessionId, int expectedLastTurnId, int lastTurnId)
        : base(
            $"Session '{sessionId}' changed while it was rewound: its last turn is {lastTurnId}, not {expectedLastTurnId} as read, so nothing was removed. " +
            "Read the session again and retry if the rewind still applies.",
            sessionId,
            innerException: null)
    {
        ExpectedLastTurnId = expectedLastTurnId;
        LastTurnId = lastTurnId;
    }

    /// <summary>Gets the last turn the caller read.</summary>
    public int ExpectedLastTurnId { get; }

    /// <summary>Gets the session's last turn when the rewind was refused.</summary>
    public int LastTurnId { get; }
}
