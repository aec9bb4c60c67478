namespace Dexter.Sessions;

/// <summary>What <see cref="ISessionStore.RewindAsync"/> did.</summary>
public enum RewindStatus
{
    /// <summary>The session now ends at the requested turn: the turns after it were removed (or there were none).</summary>
    Rewound,

    /// <summary>The session does not exist (or has expired); nothing changed.</summary>
    NotFound,

    /// <summary>
    /// The session's last turn was not the one the caller expected (a turn was appended, or the session rewound, since the
    /// caller looked); nothing changed.
    /// </summary>
    Conflict,
}
