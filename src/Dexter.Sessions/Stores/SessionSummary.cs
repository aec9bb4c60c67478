namespace Dexter.Sessions;

/// <summary>The rolling summary of a session: one text that stands for its turns 1 to <see cref="ThroughTurnId"/>.</summary>
/// <remarks>
/// A store keeps at most one summary per session (<see cref="ISessionStore.GetSummaryAsync"/>) and replaces it only by
/// compare-and-set on <see cref="ThroughTurnId"/> (<see cref="ISessionStore.TrySetSummaryAsync"/>), so that concurrent
/// updates never lose the turns folded into it.
/// </remarks>
/// <param name="Text">The summary of turns 1 to <paramref name="ThroughTurnId"/>.</param>
/// <param name="ThroughTurnId">The id of the last turn the summary covers; 1 or more.</param>
/// <param name="UpdatedAt">When the summary was written.</param>
public sealed record SessionSummary(string Text, int ThroughTurnId, DateTimeOffset UpdatedAt);
