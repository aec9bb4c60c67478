using Microsoft.Extensions.Logging;

namespace Dexter.Sessions;

internal sealed partial class SessionTurnRecorder
{
    /// <summary>
    /// Titles a session after its first turn: from the question at once (only while the session has no title), then, when the
    /// summarizer writes titles (<see cref="ISessionTitleWriter"/>), by the model in the background (only while the owner has not
    /// named the session). A title that cannot be written never fails the turn.
    /// </summary>
    private async Task TitleAsync(ISessionStore store, string sessionId, Message recorded, CancellationToken cancellationToken)
    {
        if (recorded.Id != 1)
        {
            return;
        }

        if (SessionTitles.FromQuestion(recorded.Query) is { } title)
        {
            await SetTitleQuietlyAsync(store, sessionId, title, SessionTitleSource.Question, cancellationToken).ConfigureAwait(false);
        }

        if (_summarizer is not ISessionTitleWriter writer)
        {
            return;
        }

        async Task WriteAsync(CancellationToken token)
        {
            string? written;
            try
            {
                written = await writer.WriteTitleAsync(recorded.Query, recorded.Answer, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                SessionTurnPipeline.Log.TitleNotWritten(_logger, sessionId, ex);
                return;
            }

            if (written is not null)
            {
                await SetTitleQuietlyAsync(store, sessionId, written, SessionTitleSource.Model, token).ConfigureAwait(false);
            }
        }

        if (_worker is null)
        {
            await WriteAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await _worker.EnqueueAsync(WriteAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled while the queue was full: the session keeps the title made from its question.
        }
    }

    private async Task SetTitleQuietlyAsync(ISessionStore store, string sessionId, string title, SessionTitleSource source, CancellationToken cancellationToken)
    {
        try
        {
            await store.SetTitleAsync(sessionId, title, source, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException)
        {
            // A store of the application's own that keeps no titles.
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            SessionTurnPipeline.Log.TitleNotWritten(_logger, sessionId, ex);
        }
    }
}
