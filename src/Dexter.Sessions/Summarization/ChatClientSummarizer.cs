using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// An <see cref="ISummarizer"/> that asks a model for a one- or two-sentence summary of each turn.
/// </summary>
/// <remarks>
/// The model gets <see cref="DexterSessionsOptions.SummarizerTimeout"/> to answer. When it fails, times out or answers
/// with nothing, the summary falls back to <see cref="TruncatingSummarizer"/>, a warning is logged with the cause, and
/// the turn is recorded as usual. Only the caller's own cancellation is passed on as an exception. A timeout longer than
/// about 49 days (the longest a timer can wait) means no timeout.
/// </remarks>
public sealed partial class ChatClientSummarizer : ISummarizer
{
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

    private string Fallback(string query, string answer, string reason, Exception? exception)
    {
        DexterSessionsTelemetry.SummarizerFallbacks.Add(1, new KeyValuePair<string, object?>("reason", exception?.GetType().Name ?? "empty"));
        Activity.Current?.AddEvent(new ActivityEvent("dexter.summarizer.fallback"));
        Log.SummaryFallback(_logger, reason, exception);
        return TruncatingSummarizer.Summarize(query, answer);
    }
}
