namespace Dexter.Sessions;

/// <summary>Exports a session from any <see cref="ISessionStore"/> and imports it into any other.</summary>
public static class SessionExportExtensions
{
    /// <summary>Reads a whole session into a <see cref="SessionExport"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="sessionId">The session id.</param>
    /// <param name="timeProvider">The clock that dates the export; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the reads.</param>
    /// <returns>The export, or <see langword="null"/> when the session does not exist.</returns>
    public static async Task<SessionExport?> ExportSessionAsync(
        this ISessionStore store, string sessionId, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        SessionId.ThrowIfInvalid(sessionId);
        var metadata = await store.GetMetadataAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            return null;
        }

        var history = await store.GetAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var turns = history?.GetAll() ?? [];
        var rollingSummary = await store.GetSummaryAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return new SessionExport
        {
            SessionId = sessionId,
            ExportedAt = (timeProvider ?? TimeProvider.System).GetUtcNow(),
            Metadata = metadata with { TurnCount = turns.Count },
            Turns = turns,
            RollingSummary = rollingSummary,
        };
    }

    /// <summary>
    /// Creates a session from an export: with the export's owner, every turn with its id and fields, its title and who wrote it,
    /// the session it was forked from (<see cref="ISessionStore.SetForkOriginAsync"/>; left out by a store that does not implement
    /// it) and its rolling summary (text, the turn it covers through and its time). The session's creation and activity times are those of the import; each turn keeps its own time.
    /// </summary>
    /// <param name="store">The store to import into.</param>
    /// <param name="export">The export.</param>
    /// <param name="sessionId">The id of the new session; the export's own id when <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the writes.</param>
    /// <returns>The id of the imported session.</returns>
    /// <exception cref="InvalidOperationException">A session with that id already exists in <paramref name="store"/>, or it was changed by another writer during the import.</exception>
    public static async Task<string> ImportSessionAsync(
        this ISessionStore store, SessionExport export, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(export);
        sessionId ??= export.SessionId;
        SessionId.ThrowIfInvalid(sessionId);
        if (!await store.CreateAsync(sessionId, export.Metadata.Owner, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"Session '{sessionId}' already exists in the target store; delete it first, or import under another id (the sessionId parameter).");
        }

        if (export.Turns.Count > 0)
        {
            await store.SetAsync(sessionId, new MessageHistory(export.Turns), cancellationToken).ConfigureAwait(false);
        }

        if (export.Metadata.ForkedFromSessionId is { } forkedFrom && !string.Equals(forkedFrom, sessionId, StringComparison.Ordinal))
        {
            try
            {
                await store.SetForkOriginAsync(sessionId, forkedFrom, export.Metadata.ForkedFromTurnId ?? 0, cancellationToken).ConfigureAwait(false);
            }
            catch (NotSupportedException)
            {
                // A store of one's own that cannot record a fork origin: the session is imported without it.
            }
        }

        if (export.Metadata.Title is { } title)
        {
            var source = export.Metadata.TitleSource is SessionTitleSource.None ? SessionTitleSource.Owner : export.Metadata.TitleSource;
            await store.SetTitleAsync(sessionId, title, source, cancellationToken).ConfigureAwait(false);
        }

        // After the turns: replacing the history clears a rolling summary, so the new session has none yet.
        if (export.RollingSummary is { } rollingSummary &&
            !await store.TrySetSummaryAsync(sessionId, rollingSummary, expectedThroughTurnId: 0, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException(
                $"The rolling summary of session '{sessionId}' could not be imported: the session was deleted, expired or given a summary by another writer during the import. Delete it and import again.");
        }

        return sessionId;
    }
}
