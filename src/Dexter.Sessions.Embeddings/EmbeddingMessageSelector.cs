using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings;

/// <summary>
/// An <see cref="IMessageSelector"/> that gives the model the past turns most relevant to the new query, by the cosine
/// similarity of their embeddings, over any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>.
/// </summary>
/// <remarks>
/// <para>With at most <see cref="MessageSelectionContext.MaxMessages"/> turns, all are used. Otherwise each turn is scored
/// <c>0.7 · cosine + 0.3 · recency</c>, turns with a cosine of at least 0.3 are kept, the best are returned in chronological
/// order, and the latest turns are used when none is kept (see <see cref="EmbeddingSelectorOptions"/>).</para>
/// <para>Each turn is embedded once: <see cref="PrepareTurnAsync"/> attaches the vector of a new turn (of
/// <see cref="Message.GetRepresentativeText"/>) before it is stored, so a query over a history whose turns all have vectors
/// costs one generator call, for the query. Turns without a vector, or with one of another length than the query's (the
/// model changed), are embedded together in one batch call when first needed and returned in
/// <see cref="MessageSelection.UpdatedTurns"/>; the turn's owner (<see cref="SessionTurnPipeline"/>) stores them with
/// <see cref="ISessionStore.UpdateEmbeddingsAsync"/>. The selector never writes to a store.</para>
/// <para>Vectors are stored L2-normalized (by <see cref="PrepareTurnAsync"/> and the batch embedding of old turns), the query is
/// normalized once, and a cosine is one <c>TensorPrimitives.Dot</c>. Vectors stored before, of any length, are recognised by
/// their norm (computed once per vector and kept for the session's next queries) and scored by their cosine all the same.
/// With <see cref="EmbeddingSelectorOptions.UseQuantizedScan"/>, a first pass reads int8 copies of the vectors (a quarter of
/// the bytes), and only the candidates it cannot rule out are scored exactly: the selection is the same, and the threshold is
/// always applied to exact cosines.</para>
/// <para>Embeddings never fail a conversation: when the generator throws or takes longer than
/// <see cref="EmbeddingSelectorOptions.EmbeddingTimeout"/>, the latest turns are used for that query, a new turn is stored
/// without a vector, and a warning is logged with the cause. Cancellation by the caller is not caught.</para>
/// <para>Metrics, on the meter named <see cref="DexterSessionsTelemetry.SourceName"/>: <c>dexter.sessions.embeddings.texts</c>
/// (texts embedded, by <c>operation</c>: <c>query</c>, <c>turn</c>, <c>backfill</c>) and <c>dexter.sessions.embeddings.fallbacks</c>
/// (by <c>operation</c>: <c>select</c>, <c>prepare</c>, and <c>reason</c>).</para>
/// <para>The selector is safe to use from many threads. Its only state is the scan index of the 16 sessions queried last (what
/// is computed once per vector: its norm, and its int8 copy), which holds references to those sessions' vectors; queries of
/// one session wait for each other during the scan, queries of different sessions do not.</para>
/// </remarks>
public sealed partial class EmbeddingMessageSelector : IMessageSelector
{
    private readonly float _similarityWeight;
    private readonly float _recencyWeight;
    private readonly float _threshold;
    private readonly int _maxCandidates;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ScanIndexCache _indexes;

    /// <summary>Initializes a selector.</summary>
    /// <param name="generator">Embeds queries and turns.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock that times generator calls; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">An option has a value out of its range.</exception>
    public EmbeddingMessageSelector(
        IEmbeddingGenerator<string, Embedding<float>> generator,
        IOptions<EmbeddingSelectorOptions>? options = null,
        TimeProvider? timeProvider = null,
        ILogger<EmbeddingMessageSelector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var value = options?.Value ?? new EmbeddingSelectorOptions();
        var validation = EmbeddingSelectorOptionsValidator.Instance.Validate(Options.DefaultName, value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(EmbeddingSelectorOptions), validation.Failures);
        }

        Generator = generator;
        _similarityWeight = (float)value.SimilarityWeight;
        _recencyWeight = (float)value.RecencyWeight;
        _threshold = (float)value.SimilarityThreshold;
        _maxCandidates = value.MaxCandidates;
        _timeout = value.EmbeddingTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _indexes = new ScanIndexCache(value.UseQuantizedScan);
    }

    /// <summary>Gets the generator that embeds queries and turns.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> Generator { get; }

    /// <summary>Returns how many of the latest turns to score: <see cref="EmbeddingSelectorOptions.MaxCandidates"/>, and at least <paramref name="maxMessages"/>.</summary>
    /// <param name="maxMessages">How many turns the selection returns at most.</param>
    /// <returns>How many of the latest turns the agent reads from the store.</returns>
    public int GetCandidateCount(int maxMessages) => Math.Max(maxMessages, _maxCandidates);

    /// <summary>Selects the past turns most relevant to the query, in chronological order.</summary>
    /// <param name="context">The query, the candidate turns and the limit; with a store and session id, vectors computed for old turns are kept there.</param>
    /// <param name="cancellationToken">A token to cancel the selection.</param>
    /// <returns>At most <see cref="MessageSelectionContext.MaxMessages"/> turns, in chronological order; the latest turns when embedding fails or no turn is similar enough.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<MessageSelection> SelectAsync(MessageSelectionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Turns.Count <= context.MaxMessages)
        {
            return new MessageSelection(context.Turns);
        }

        // Only the latest MaxCandidates turns are scored, also when the caller passes more (a MessageHistory passes all).
        var candidateCount = GetCandidateCount(context.MaxMessages);
        var candidates = context.Turns.Count > candidateCount ? RecentMessageSelector.TakeLast(context.Turns, candidateCount) : context.Turns;
        Message[] selected;
        Message[] bestFirst;
        IReadOnlyList<Message> updated = [];
        try
        {
            var embedded = await GenerateAsync([context.Query], "query", cancellationToken).ConfigureAwait(false);
            var query = embedded[0].Vector;
            if (query.IsEmpty)
            {
                throw new InvalidOperationException("The embedding generator returned an empty vector for the query.");
            }

            var ranking = new RelevanceRanking(query, context.MaxMessages, candidates.Count, _similarityWeight, _recencyWeight, _threshold);
            var unscored = Scan(ranking, candidates, context.SessionId);
            var turns = candidates;
            if (unscored is not null)
            {
                (turns, updated) = await EmbedUnscoredAsync(candidates, unscored, ranking, context, cancellationToken).ConfigureAwait(false);
            }

            selected = ranking.GetSelected(turns);
            bestFirst = ranking.GetSelectedBestFirst(turns);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFallback(ex, context.MaxMessages, candidates.Count);
            return new MessageSelection(RecentMessageSelector.TakeLast(candidates, context.MaxMessages), updated);
        }

        if (selected.Length == 0)
        {
            Log.NoTurnSimilarEnough(_logger, candidates.Count, _threshold, context.MaxMessages);
            return new MessageSelection(RecentMessageSelector.TakeLast(candidates, context.MaxMessages), updated);
        }

        Log.Selected(_logger, selected.Length, candidates.Count);
        return new MessageSelection(selected, updated, bestFirst);
    }

    /// <summary>Attaches the embedding of the new turn (of <see cref="Message.GetRepresentativeText"/>) so it is stored with the turn.</summary>
    /// <param name="message">The new turn.</param>
    /// <param name="cancellationToken">A token to cancel the work.</param>
    /// <returns>The turn with its embedding; the turn unchanged when it already has one, or when embedding failed (a warning is logged).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<Message> PrepareTurnAsync(Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.Embedding.IsEmpty)
        {
            return message;
        }

        try
        {
            var embedded = await GenerateAsync([message.GetRepresentativeText()], "turn", cancellationToken).ConfigureAwait(false);
            return message with { Embedding = UnitVectors.Normalize(embedded[0].Vector) };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            EmbeddingsTelemetry.Fallback("prepare", ex);
            if (ex is TimeoutException)
            {
                Log.PrepareTimedOut(_logger, _timeout.TotalMilliseconds, ex);
            }
            else
            {
                Log.PrepareFailed(_logger, ex);
            }

            return message;
        }
    }

    /// <summary>Scores the candidates through the session's scan index, which keeps what is computed per vector between queries.</summary>
    /// <returns>The indices of the candidates without a vector of the query's length; <see langword="null"/> when there are none.</returns>
    private List<int>? Scan(RelevanceRanking ranking, IReadOnlyList<Message> candidates, string? sessionId)
    {
        var index = _indexes.Get(sessionId);
        List<int>? unscored;
        int computed;
        lock (index)
        {
            unscored = ranking.ScoreAll(candidates, index);
            computed = index.LastComputed;
        }

        if (computed > 0)
        {
            Log.ScanIndexUpdated(_logger, computed, candidates.Count, sessionId, index.Quantized);
        }

        return unscored;
    }

    /// <summary>
    /// Embeds the turns that had no vector of the query's length in one call and scores them.
    /// </summary>
    /// <returns>The candidates, with the new vectors on the turns that got one; and those recorded turns, for the caller to store.</returns>
    private async Task<(IReadOnlyList<Message> Turns, IReadOnlyList<Message> Updated)> EmbedUnscoredAsync(
        IReadOnlyList<Message> candidates, List<int> unscored, RelevanceRanking ranking, MessageSelectionContext context, CancellationToken cancellationToken)
    {
        var texts = new string[unscored.Count];
        var stale = 0;
        for (var i = 0; i < texts.Length; i++)
        {
            var turn = candidates[unscored[i]];
            texts[i] = turn.GetRepresentativeText();
            stale += turn.Embedding.IsEmpty ? 0 : 1;
        }

        var embedded = await GenerateAsync(texts, "backfill", cancellationToken).ConfigureAwait(false);
        var merged = candidates.ToArray();
        var updated = new List<Message>(unscored.Count);
        for (var i = 0; i < unscored.Count; i++)
        {
            var index = unscored[i];
            var turn = merged[index] with { Embedding = UnitVectors.Normalize(embedded[i].Vector) };
            merged[index] = turn;
            ranking.Score(turn.Embedding.Span, index);
            if (turn.Id > 0)
            {
                updated.Add(turn);
            }
        }

        Log.EmbeddedPastTurns(_logger, unscored.Count, stale, context.SessionId);
        return (merged, updated);
    }

    /// <summary>Calls the generator once for <paramref name="texts"/>, within <see cref="EmbeddingSelectorOptions.EmbeddingTimeout"/>.</summary>
    /// <exception cref="TimeoutException">The generator took longer than the timeout.</exception>
    /// <exception cref="InvalidOperationException">The generator returned another number of embeddings than texts.</exception>
    private async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(string[] texts, string operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EmbeddingsTelemetry.Embedded(operation, texts.Length);
        using var timeout = _timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked?.Token ?? cancellationToken;
        GeneratedEmbeddings<Embedding<float>> embeddings;
        Task<GeneratedEmbeddings<Embedding<float>>>? call = null;
        try
        {
            call = Generator.GenerateAsync(texts, options: null, token);
            // WaitAsync also ends the wait for a generator that ignores its token.
            embeddings = await call.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            ObserveLateFailure(call);
            throw new TimeoutException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The embedding generator did not answer within {_timeout.TotalSeconds:0.###} s; raise EmbeddingSelectorOptions.EmbeddingTimeout or check the embedding service."),
                ex);
        }

        if (embeddings is null || embeddings.Count != texts.Length)
        {
            throw new InvalidOperationException(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The embedding generator returned {embeddings?.Count ?? 0} embeddings for {texts.Length} texts; it must return one per text, in order."));
        }

        return embeddings;
    }

    private static void ObserveLateFailure(Task? call) =>
        call?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private void LogFallback(Exception exception, int maxMessages, int candidates)
    {
        EmbeddingsTelemetry.Fallback("select", exception);
        if (exception is TimeoutException)
        {
            Log.SelectionTimedOut(_logger, _timeout.TotalMilliseconds, maxMessages, candidates, exception);
        }
        else
        {
            Log.SelectionFailed(_logger, maxMessages, candidates, exception);
        }
    }
}
