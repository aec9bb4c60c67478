namespace Dexter.Sessions;

/// <summary>
/// The exception a streamed turn throws when its caller stopped it after the model wrote some text, and the turn was recorded with
/// the answer so far, marked <see cref="Message.Interrupted"/> (see <see cref="DexterSessionsOptions.RecordInterruptedTurns"/>).
/// </summary>
/// <remarks>
/// It is an <see cref="OperationCanceledException"/>: code that handles a cancellation goes on working, and code that wants the
/// recorded turn catches this type. A stream left before its end (disposed) records the turn the same way, without an exception.
/// </remarks>
public sealed class TurnInterruptedException : OperationCanceledException
{
    /// <summary>Initializes the exception.</summary>
    /// <param name="turn">The turn recorded with the partial answer.</param>
    /// <param name="sessionId">The session, or <see langword="null"/> for a turn over a caller's <see cref="MessageHistory"/>.</param>
    /// <param name="innerException">The cancellation that stopped the turn, if any.</param>
    /// <param name="cancellationToken">The token that was cancelled.</param>
    public TurnInterruptedException(Message turn, string? sessionId, Exception? innerException, CancellationToken cancellationToken)
        : base(
            sessionId is null
                ? $"The answer was stopped; turn {turn?.Id} was recorded with the {turn?.Answer.Length} characters written so far, marked interrupted."
                : $"The answer was stopped; turn {turn?.Id} of session '{sessionId}' was recorded with the {turn?.Answer.Length} characters written so far, marked interrupted.",
            innerException,
            cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        Turn = turn;
        SessionId = sessionId;
    }

    /// <summary>Gets the recorded turn: its answer is what the model had written when the turn was stopped.</summary>
    public Message Turn { get; }

    /// <summary>Gets the session the turn was recorded in, or <see langword="null"/> for a turn over a caller's <see cref="MessageHistory"/>.</summary>
    public string? SessionId { get; }
}
