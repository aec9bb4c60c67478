using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// An <see cref="ISummarizer"/> that asks a model for a one- or two-sentence summary of each turn, and an
/// <see cref="IRollingSummarizer"/> that asks it to fold the turns that left the recent window into the session's summary.
/// </summary>
/// <remarks>
/// The model gets <see cref="DexterSessionsOptions.SummarizerTimeout"/> to answer. When it fails, times out or answers
/// with nothing, the summary falls back to <see cref="TruncatingSummarizer"/>, a warning is logged with the cause, and
/// the turn is recorded as usual. Only the caller's own cancellation is passed on as an exception. A timeout longer than
/// about 49 days (the longest a timer can wait) means no timeout. The rolling summary has the same timeout; when it fails, it
/// throws, and the pipeline keeps the previous rolling summary.
/// </remarks>
public sealed partial class ChatClientSummarizer : ISummarizer, IRollingSummarizer
{
    /// <summary>The instructions given to the model to update a rolling summary; <c>{0}</c> is the most words it may use.</summary>
    public const string RollingInstructions =
        "You keep the running summary of a long conversation between a user and an assistant. Update the summary with the turns " +
        "below: keep every fact the user may ask about later (names, numbers, dates, decisions, preferences, open questions) and " +
        "the turn numbers they come from, drop small talk. Use at most {0} words. Reply with the updated summary only.";

    /// <summary>The instructions given to the model.</summary>
    public const string Instructions =
        "Summarize the following conversation turn in 1-2 sentences (max 100 characters). Reply with the summary only.";

    /// <summary>How many characters of the answer are sent to the model.</summary>
    public const int AnswerExcerptLength = 500;

    /// <summary>The longest summary kept, in characters; a longer reply is cut.</summary>
    public const int MaxSummaryLength = 300;

    // The longest wait a timer supports (uint.MaxValue - 1 ms, about 49.7 days); WaitAsync rejects anything longer.
    private static readonly TimeSpan MaxTimerDuration = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly IChatClient _chatClient;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a summarizer.</summary>
    /// <param name="chatClient">The model that writes summaries.</param>
    /// <param name="options">The options; <see cref="DexterSessionsOptions.SummarizerTimeout"/> sets the timeout. Defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for the timeout; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    public ChatClientSummarizer(
        IChatClient chatClient,
        IOptions<DexterSessionsOptions>? options = null,
        TimeProvider? timeProvider = null,
        ILogger<ChatClientSummarizer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        _chatClient = chatClient;
        var timeout = (options?.Value ?? new DexterSessionsOptions()).SummarizerTimeout;
        _timeout = timeout > MaxTimerDuration ? Timeout.InfiniteTimeSpan : timeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    public async ValueTask<string> SummarizeAsync(string query, string answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(answer);
        cancellationToken.ThrowIfCancellationRequested();

        ChatMessage[] messages =
        [
            new(ChatRole.System, Instructions),
            new(ChatRole.User, "Question: " + query + "\nAnswer: " + TextCut.Prefix(answer, AnswerExcerptLength).ToString()),
        ];

        var started = _timeProvider.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            // WaitAsync bounds the wait even for a client that ignores its cancellation token.
            var response = await _chatClient.GetResponseAsync(messages, options: null, timeout.Token)
                .WaitAsync(_timeout, _timeProvider, cancellationToken)
                .ConfigureAwait(false);
            var summary = response.Text.Trim();
            if (summary.Length == 0)
            {
                return Fallback(query, answer, "the model answered with an empty summary", exception: null);
            }

            return summary.Length > MaxSummaryLength ? TextCut.Prefix(summary, MaxSummaryLength).ToString() : summary;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutException ex)
        {
            return Fallback(query, answer, $"the model did not answer within {_timeout.TotalSeconds:0.###} s", ex);
        }
        catch (Exception ex)
        {
            return Fallback(query, answer, "the model call failed: " + ex.Message, ex);
        }
        finally
        {
            await timeout.CancelAsync().ConfigureAwait(false);
            Log.SummaryDuration(_logger, _timeProvider.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <inheritdoc />
    /// <exception cref="TimeoutException">The model did not answer within <see cref="DexterSessionsOptions.SummarizerTimeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The model answered with no text.</exception>
    public async ValueTask<string> FoldAsync(string? previousSummary, IReadOnlyList<Message> turns, int maxTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        cancellationToken.ThrowIfCancellationRequested();

        var prompt = new System.Text.StringBuilder();
        prompt.Append("Summary so far:\n").Append(string.IsNullOrWhiteSpace(previousSummary) ? "(none)" : previousSummary).Append("\n\nTurns to add:\n");
        foreach (var turn in turns)
        {
            prompt.Append(System.Globalization.CultureInfo.InvariantCulture, $"Turn {turn.Id}. User: ").Append(turn.Query)
                .Append("\nAssistant: ").Append(TextCut.Prefix(turn.Answer, AnswerExcerptLength)).Append('\n');
        }

        ChatMessage[] messages =
        [
            new(ChatRole.System, string.Format(System.Globalization.CultureInfo.InvariantCulture, RollingInstructions, Math.Max(8, maxTokens * 3 / 4))),
            new(ChatRole.User, prompt.ToString()),
        ];

        var started = _timeProvider.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var response = await _chatClient.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = maxTokens }, timeout.Token)
                .WaitAsync(_timeout, _timeProvider, cancellationToken)
                .ConfigureAwait(false);
            var summary = response.Text.Trim();
            return summary.Length > 0 ? summary : throw new InvalidOperationException("The model answered with an empty rolling summary.");
        }
        finally
        {
            await timeout.CancelAsync().ConfigureAwait(false);
            Log.SummaryDuration(_logger, _timeProvider.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private string Fallback(string query, string answer, string reason, Exception? exception)
    {
        DexterSessionsTelemetry.SummarizerFallbacks.Add(1, new KeyValuePair<string, object?>("reason", exception?.GetType().Name ?? "empty"));
        Activity.Current?.AddEvent(new ActivityEvent("dexter.summarizer.fallback"));
        Log.SummaryFallback(_logger, reason, exception);
        return TruncatingSummarizer.Summarize(query, answer);
    }
}
