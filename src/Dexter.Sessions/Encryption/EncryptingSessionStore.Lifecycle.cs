namespace Dexter.Sessions;

/// <content>Fork and turn keys: records are bound to their session and turn, so a fork writes them again for the new session.</content>
public sealed partial class EncryptingSessionStore
{
    /// <inheritdoc />
    /// <remarks>
    /// The inner store creates the new session and copies the turns in one step; the copies, still sealed for the source session,
    /// are then opened and sealed again for the new session (a second write, of the same cost). The owner is encrypted as
    /// <see cref="CreateAsync"/> encrypts it (deterministically with <see cref="EncryptionAtRestOptions.OwnerLookupKey"/>, so the
    /// fork is listed with the owner's sessions). The source's title is encrypted again for the new session and kept as the
    /// owner's (<see cref="SessionTitleSource.Owner"/>): a title bound to one session cannot be rewritten under another source.
    /// Should the second write fail, the new session is deleted and the error thrown.
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
            sourceSessionId, throughTurnId, newSessionId, newOwner is null ? null : EncryptOwnerForStore(newSessionId, newOwner), cancellationToken).ConfigureAwait(false);
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
                encrypted.Add(Seal(newSessionId, turn, turn.Id));
            }

            await InnerStore.SetAsync(newSessionId, new MessageHistory(encrypted), cancellationToken).ConfigureAwait(false);
            if (source.Title is { } title)
            {
                await SetTitleAsync(newSessionId, title, SessionTitleSource.Owner, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await InnerStore.DeleteAsync(newSessionId, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return forked with { Owner = newOwner, Title = source.Title, TitleSource = source.Title is null ? SessionTitleSource.None : SessionTitleSource.Owner };
    }

    /// <inheritdoc />
    public override async Task<Message?> GetTurnByKeyAsync(string sessionId, string turnKey, CancellationToken cancellationToken = default)
    {
        var stored = await InnerStore.GetTurnByKeyAsync(sessionId, turnKey, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : Open(sessionId, stored) with { TurnKey = turnKey };
    }

    // The inner store returns the record it was given when it appended it, and the record it holds when the turn's key was
    // already used (sealed blobs differ on every encryption, so the two cannot be confused).
    private Message AppendedOrKeyed(string sessionId, Message message, Message sealedTurn, Message recorded) =>
        recorded.TurnKey is { } key && !recorded.SealedContent.Span.SequenceEqual(sealedTurn.SealedContent.Span)
            ? Open(sessionId, recorded) with { TurnKey = key }
            : message with { Id = recorded.Id, CreatedAt = recorded.CreatedAt };
}
