namespace Dexter.Sessions;

/// <summary>How the selected past turns are given to the model.</summary>
public enum SessionContextMode
{
    /// <summary>
    /// One system message with the selected turns formatted for planning
    /// (<see cref="MessageHistory.FormatForPlanning(IEnumerable{Message})"/>: each turn's query and its answer cut to 400 characters).
    /// </summary>
    Planning,

    /// <summary>
    /// The selected turns' whole exchanges replayed as chat messages (user message, function calls and results, answer); turns
    /// recorded without their messages are replayed as a user and an assistant message.
    /// </summary>
    Messages,
}
