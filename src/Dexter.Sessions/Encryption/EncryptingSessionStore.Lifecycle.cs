namespace Dexter.Sessions;

/// <content>Fork and turn keys: records are bound to their session and turn, so a fork writes them again for the new session.</content>
public sealed partial class EncryptingSessionStore
{
    /// <inheritdoc />
    /// <remarks>
    /// The inner store creates the new session and copies the turns in one step; the copies, still bound to the source session,
    /// are then replaced by records encrypted for the new session (a second write, of the same cost). Should that second write
    /// fail, the new session is deleted and the error thrown.
    /// </remarks>
    public override async Task<SessionMetadata?> ForkAsync(
        string sourceSessionId, int throughTurnId, string newSessionId, string? owner = null, CancellationToken cancellationToken = default)
    {
        SessionStoreArguments.ThrowIfInvalidFork(sourceSessionId, throughTurnId, newSessionId);
        var source = await GetMetadataAsync(sourceSessionId, cancellationToken).ConfigureAwait(false);
        if (source is null)
        {
            return null;
        }

        var newOwner = owner ?? source.Owner;
        var forked = await InnerStore.ForkAsync(
            sourceSessionId, throughTurnId, newSessionId, newOwner is null ? null : EncryptOwner(newSessionId, newOwner), cancellationToken).ConfigureAwait(false);
        if (forked is null)
        {
            return null;
        }

        try
        {
            var copies = await InnerStore.GetAsync(newSessionId, cancellationToken).ConfigureAwait(false);
            var turns = Decrypt(sourceSessionId, copies?.GetAll() ?? []);
            var encrypted = new List<Message>(turns.Count);
            foreach (var turn in turns)
            {
                encrypted.Add(Encrypt(newSessionId, turn, turn.Id));
            }

            await InnerStore.SetAsync(newSessionId, new MessageHistory(encrypted), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await InnerStore.DeleteAsync(newSessionId, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return forked with { Owner = newOwner };
    }

    /// <inheritdoc />
    public override async Task<Message?> GetTurnByKeyAsync(string sessionId, string turnKey, CancellationToken cancellationToken = default)
    {
        var stored = await InnerStore.GetTurnByKeyAsync(sessionId, turnKey, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : Decrypt(sessionId, stored) with { TurnKey = turnKey };
    }

    // The inner store returns the record it was given when it appended it, and the record it holds when the turn's key was
    // already used (ciphertexts differ on every encryption, so the two cannot be confused).
    private Message AppendedOrKeyed(string sessionId, Message message, Message encrypted, Message recorded) =>
        recorded.TurnKey is { } key && !string.Equals(recorded.Query, encrypted.Query, StringComparison.Ordinal)
            ? Decrypt(sessionId, recorded) with { TurnKey = key }
            : message with { Id = recorded.Id, CreatedAt = recorded.CreatedAt };
}
