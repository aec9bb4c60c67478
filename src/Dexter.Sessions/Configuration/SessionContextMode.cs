namespace Dexter.Sessions;

/// <summary>How the selected past turns are given to the model.</summary>
public enum SessionContextMode
{
    /// <summary>
    /// One system message with the selected turns as text (<see cref="TextContextFormat.Format(IEnumerable{Message})"/>: each turn's
    /// query and its answer cut to 400 characters). The configuration value <c>Planning</c> means the same.
    /// </summary>
    Text = 0,

    /// <summary>The former name of <see cref="Text"/>; configuration still accepts the value <c>Planning</c>.</summary>
    [Obsolete("Use SessionContextMode.Text.")]
    Planning = Text,

    /// <summary>
    /// The selected turns' whole exchanges replayed as chat messages (user message, function calls and results, answer); turns
    /// recorded without their messages are replayed as a user and an assistant message.
    /// </summary>
    Messages = 1,
}
