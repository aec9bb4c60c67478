namespace Dexter.Sessions;

/// <summary>One page of an owner's sessions, newest activity first (<see cref="ISessionStore.ListSessionsAsync"/>).</summary>
/// <param name="Sessions">The sessions of the page, newest activity first; empty when the owner has none (left).</param>
/// <param name="NextCursor">The cursor of the next page, or <see langword="null"/> when this page is the last.</param>
public sealed record SessionListPage(IReadOnlyList<SessionMetadata> Sessions, string? NextCursor);
