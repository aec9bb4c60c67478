using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

public sealed partial class ChatClientSummarizer : ISessionTitleWriter
{
    /// <summary>The instructions given to the model to title a session.</summary>
    public const string TitleInstructions =
        "Write a title of at most six words for the conversation that starts with the turn below, in the language of the question. " +
        "Reply with the title only, without quotes.";

    /// <inheritdoc />
    /// <remarks>
    /// The model's reply is made a title as <see cref="SessionTitles.FromQuestion"/> makes one (first line, at most
    /// <see cref="SessionTitles.MaxQuestionTitleLength"/> characters). A failure or a timeout
    /// (<see cref="DexterSessionsOptions.SummarizerTimeout"/>) throws; the pipeline then keeps the title made from the question.
    /// </remarks>
    /// <exception cref="TimeoutException">The model did not answer in time.</exception>
    public async ValueTask<string?> WriteTitleAsync(string query, string answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(answer);
        cancellationToken.ThrowIfCancellationRequested();
        ChatMessage[] messages =
        [
            new(ChatRole.System, TitleInstructions),
            new(ChatRole.User, "Question: " + query + "\nAnswer: " + TextCut.Prefix(answer, AnswerExcerptLength).ToString()),
        ];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var response = await _chatClient.GetResponseAsync(messages, options: null, timeout.Token)
                .WaitAsync(_timeout, _timeProvider, cancellationToken)
                .ConfigureAwait(false);
            return SessionTitles.FromQuestion(response.Text.Trim().Trim('"', '\'', '“', '”', '«', '»'));
        }
        finally
        {
            await timeout.CancelAsync().ConfigureAwait(false);
        }
    }
}
