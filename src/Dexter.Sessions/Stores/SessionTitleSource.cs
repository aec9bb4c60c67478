namespace Dexter.Sessions;

/// <summary>
/// Who wrote a session's title (<see cref="SessionMetadata.TitleSource"/>). A title is written only over one of a lower source:
/// the first question's title only while the session has none, the model's only while the owner has not named the session, and
/// the owner's always.
/// </summary>
public enum SessionTitleSource
{
    /// <summary>The session has no title.</summary>
    None = 0,

    /// <summary>The title was made from the session's first question (<see cref="SessionTitles.FromQuestion"/>).</summary>
    Question = 1,

    /// <summary>The title was written by the model after the first turn.</summary>
    Model = 2,

    /// <summary>The owner named (renamed) the session.</summary>
    Owner = 3,
}
