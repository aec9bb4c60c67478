namespace Dexter.Sessions;

/// <summary>
/// Implemented by a selector that keeps something computed from a whole recorded turn (its question and answer), such as a vector:
/// <see cref="SessionTurnPipeline"/> calls it after the turn is recorded, off the answer's path (on the summary worker when there is
/// one), and stores what it returns with <see cref="ISessionStore.UpdateEmbeddingsAsync"/>.
/// </summary>
public interface ITurnIndexer
{
    /// <summary>Gets whether <see cref="IndexTurnAsync"/> has anything to do; when <see langword="false"/> it is not called.</summary>
    bool IndexesTurns { get; }

    /// <summary>Computes what is kept with a recorded turn.</summary>
    /// <param name="recorded">The turn as it was recorded, with its id.</param>
    /// <param name="cancellationToken">A token to cancel the work.</param>
    /// <returns>The turn with what is kept (its <see cref="Message.Embedding"/>), or <see langword="null"/> when nothing changed.</returns>
    ValueTask<Message?> IndexTurnAsync(Message recorded, CancellationToken cancellationToken = default);
}
