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

    /// <summary>Gets the id of the session this one was forked from (<see cref="ISessionStore.ForkAsync"/>), or <see langword="null"/>.</summary>
    public string? ForkedFromSessionId { get; init; }

    /// <summary>Gets the id of the last turn copied from <see cref="ForkedFromSessionId"/> (0 or more), or <see langword="null"/> when the session is not a fork.</summary>
    public int? ForkedFromTurnId { get; init; }
}
