namespace Dexter.Sessions;

/// <summary>The figures of one turn in <see cref="SessionStatistics.PerTurn"/>.</summary>
/// <param name="Id">The turn id.</param>
/// <param name="CreatedAt">When the turn was recorded.</param>
/// <param name="ResponseTime">How long the model took, when measured.</param>
/// <param name="InputTokens">The input tokens the model reported, if any.</param>
/// <param name="OutputTokens">The output tokens the model reported, if any.</param>
public sealed record SessionTurnStatistics(int Id, DateTimeOffset CreatedAt, TimeSpan? ResponseTime, long? InputTokens, long? OutputTokens)
{
    /// <summary>Gets whether the turn was stopped by its caller and recorded with a partial answer (<see cref="Message.Interrupted"/>).</summary>
    public bool Interrupted { get; init; }
}
