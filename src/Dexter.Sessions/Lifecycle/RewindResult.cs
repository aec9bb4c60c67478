namespace Dexter.Sessions;

/// <summary>The outcome of <see cref="ISessionStore.RewindAsync"/>.</summary>
/// <param name="Status">What the rewind did.</param>
/// <param name="LastTurnId">
/// The id of the session's last turn after the call: the turn rewound to when <see cref="RewindStatus.Rewound"/>; the session's
/// actual last turn when <see cref="RewindStatus.Conflict"/>; 0 when <see cref="RewindStatus.NotFound"/>.
/// </param>
/// <param name="RemovedTurns">How many turns the rewind removed; 0 unless <see cref="RewindStatus.Rewound"/>.</param>
public sealed record RewindResult(RewindStatus Status, int LastTurnId, int RemovedTurns)
{
    /// <summary>Gets whether the session now ends at the requested turn.</summary>
    public bool Succeeded => Status == RewindStatus.Rewound;

    /// <summary>Gets the result for a session that does not exist.</summary>
    public static RewindResult NotFound { get; } = new(RewindStatus.NotFound, 0, 0);
}
