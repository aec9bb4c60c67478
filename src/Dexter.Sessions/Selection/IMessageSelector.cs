namespace Dexter.Sessions;

/// <summary>Chooses which past turns of a session are given to the model as context for a new query.</summary>
public interface IMessageSelector
{
    /// <summary>Tells how many of the latest turns the selector needs to see, so the agent reads only those from the store.</summary>
    /// <param name="maxMessages">How many turns the selection returns at most.</param>
    /// <returns>How many of the latest turns to read; the default is <paramref name="maxMessages"/>.</returns>
    int GetCandidateCount(int maxMessages) => maxMessages;

    /// <summary>Selects the turns to give the model, in chronological order.</summary>
    /// <param name="context">The query, the candidate turns and the limit.</param>
    /// <param name="cancellationToken">A token to cancel the selection.</param>
    /// <returns>
    /// At most <see cref="MessageSelectionContext.MaxMessages"/> turns, in chronological order, and the turns whose embeddings
    /// were computed on the way (the caller stores them; a selector never writes to a store).
    /// </returns>
    ValueTask<MessageSelection> SelectAsync(MessageSelectionContext context, CancellationToken cancellationToken = default);

    /// <summary>
    /// Prepares a new turn before it is stored, for example by attaching the turn's embedding so it is computed once.
    /// </summary>
    /// <param name="message">The new turn.</param>
    /// <param name="cancellationToken">A token to cancel the work.</param>
    /// <returns>The turn to store; the default returns <paramref name="message"/> unchanged.</returns>
    ValueTask<Message> PrepareTurnAsync(Message message, CancellationToken cancellationToken = default) => new(message);
}
