namespace Dexter.Sessions;

/// <summary>What a store knows about a session besides its turns.</summary>
/// <param name="SessionId">The session id.</param>
/// <param name="CreatedAt">When the session was created.</param>
/// <param name="LastActivityAt">When the session was last written.</param>
/// <param name="TurnCount">How many turns the session holds.</param>
/// <param name="Owner">The principal that owns the session, or <see langword="null"/> for none.</param>
public sealed record SessionMetadata(string SessionId, DateTimeOffset CreatedAt, DateTimeOffset LastActivityAt, int TurnCount, string? Owner);
