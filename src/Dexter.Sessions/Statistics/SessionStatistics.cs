namespace Dexter.Sessions;

/// <summary>
/// Figures of one session computed from its turns and metadata: turns, tokens, response times, activity and fallbacks.
/// </summary>
/// <remarks>
/// Percentiles use the nearest-rank method over the turns that have a <see cref="Message.ResponseTime"/>: p50 of ten
/// measured turns is the 5th fastest, p95 the 10th. Token sums count the turns whose model reported tokens.
/// </remarks>
public sealed record SessionStatistics
{
    /// <summary>Gets the session id.</summary>
    public required string SessionId { get; init; }

    /// <summary>Gets when the session was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the first turn was recorded; <see langword="null"/> when there is none.</summary>
    public DateTimeOffset? FirstActivityAt { get; init; }

    /// <summary>Gets when the session was last written.</summary>
    public DateTimeOffset LastActivityAt { get; init; }

    /// <summary>Gets the number of turns.</summary>
    public int Turns { get; init; }

    /// <summary>Gets the input tokens of all turns.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens of all turns.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the median response time; <see langword="null"/> when no turn was measured.</summary>
    public TimeSpan? ResponseTimeP50 { get; init; }

    /// <summary>Gets the 95th percentile of the response times; <see langword="null"/> when no turn was measured.</summary>
    public TimeSpan? ResponseTimeP95 { get; init; }

    /// <summary>Gets the longest response time; <see langword="null"/> when no turn was measured.</summary>
    public TimeSpan? ResponseTimeMax { get; init; }

    /// <summary>Gets how many turns have a summary that fell back to truncation because the summarizer failed.</summary>
    public int SummarizerFallbacks { get; init; }

    /// <summary>Gets how many turns were answered with the latest turns as context because the selector failed.</summary>
    public int SelectorFallbacks { get; init; }

    /// <summary>Gets how many turns were stopped by their caller and recorded with a partial answer (<see cref="Message.Interrupted"/>).</summary>
    public int InterruptedTurns { get; init; }

    /// <summary>Gets one point per turn, in order: its id, time and response time, for charts.</summary>
    public IReadOnlyList<SessionTurnStatistics> PerTurn { get; init; } = [];

    /// <summary>Computes the figures of a session.</summary>
    /// <param name="metadata">The session's metadata.</param>
    /// <param name="turns">The session's turns, in order.</param>
    /// <returns>The figures.</returns>
    public static SessionStatistics Compute(SessionMetadata metadata, IReadOnlyList<Message> turns)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(turns);
        var times = new List<TimeSpan>(turns.Count);
        long input = 0, output = 0;
        int summarizerFallbacks = 0, selectorFallbacks = 0, interrupted = 0;
        DateTimeOffset? first = null;
        var perTurn = new SessionTurnStatistics[turns.Count];
        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            input += turn.InputTokenCount ?? 0;
            output += turn.OutputTokenCount ?? 0;
            if (turn.ResponseTime is { } time)
            {
                times.Add(time);
            }

            summarizerFallbacks += turn.SummarizerFellBack ? 1 : 0;
            selectorFallbacks += turn.SelectorFellBack ? 1 : 0;
            interrupted += turn.Interrupted ? 1 : 0;
            first = first is null || turn.CreatedAt < first ? turn.CreatedAt : first;
            perTurn[i] = new SessionTurnStatistics(turn.Id, turn.CreatedAt, turn.ResponseTime, turn.InputTokenCount, turn.OutputTokenCount)
            {
                Interrupted = turn.Interrupted,
            };
        }

        times.Sort();
        return new SessionStatistics
        {
            SessionId = metadata.SessionId,
            CreatedAt = metadata.CreatedAt,
            FirstActivityAt = first,
            LastActivityAt = metadata.LastActivityAt,
            Turns = turns.Count,
            InputTokens = input,
            OutputTokens = output,
            ResponseTimeP50 = NearestRank(times, 0.50),
            ResponseTimeP95 = NearestRank(times, 0.95),
            ResponseTimeMax = times.Count == 0 ? null : times[^1],
            SummarizerFallbacks = summarizerFallbacks,
            SelectorFallbacks = selectorFallbacks,
            InterruptedTurns = interrupted,
            PerTurn = perTurn,
        };
    }

    private static TimeSpan? NearestRank(List<TimeSpan> sorted, double percentile) =>
        sorted.Count == 0 ? null : sorted[Math.Max(1, (int)Math.Ceiling(percentile * sorted.Count)) - 1];
}
