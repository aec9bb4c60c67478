namespace Dexter.Sessions;

/// <summary>What a store knows about a session besides its turns.</summary>
/// <param name="SessionId">The session id.</param>
/// <param name="CreatedAt">When the session was created.</param>
/// <param name="LastActivityAt">When the session was last written.</param>
/// <param name="TurnCount">How many turns the session holds.</param>
/// <param name="Owner">The principal that owns the session, or <see langword="null"/> for none.</param>
public sealed record SessionMetadata(string SessionId, DateTimeOffset CreatedAt, DateTimeOffset LastActivityAt, int TurnCount, string? Owner)
{
    /// <summary>Gets the session's title, or <see langword="null"/> while it has none.</summary>
    public string? Title { get; init; }

    /// <summary>Gets who wrote <see cref="Title"/>; <see cref="SessionTitleSource.None"/> while the session has no title.</summary>
    public SessionTitleSource TitleSource { get; init; }
}
