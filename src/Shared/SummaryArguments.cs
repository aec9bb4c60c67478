namespace Dexter.Sessions;

/// <summary>
/// Checks the arguments of <see cref="ISessionStore.TrySetSummaryAsync"/> the same way in every store (compiled into each
/// package that has a store, src/Shared).
/// </summary>
internal static class SummaryArguments
{
    public static void ThrowIfInvalid(string sessionId, SessionSummary summary, int expectedThroughTurnId)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.Text is null)
        {
            throw new ArgumentException("The summary has no text; give an empty string for a summary with nothing in it.", nameof(summary));
        }

        if (summary.ThroughTurnId < 1)
        {
            throw new ArgumentException(
                $"The summary covers turns through id {summary.ThroughTurnId}; a summary covers at least turn 1, so ThroughTurnId must be 1 or more.",
                nameof(summary));
        }

        if (expectedThroughTurnId < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(expectedThroughTurnId),
                expectedThroughTurnId,
                "The expected turn id must be 0 (the session has no summary yet) or the ThroughTurnId of the summary read before.");
        }
    }

    /// <summary>Checks the arguments of <see cref="ISessionStore.UpdateTurnSummaryAsync"/>.</summary>
    public static void ThrowIfInvalidTurnSummary(string sessionId, int turnId, string summary)
    {
        SessionId.ThrowIfInvalid(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(turnId, 1);
        ArgumentException.ThrowIfNullOrEmpty(summary);
    }
}
