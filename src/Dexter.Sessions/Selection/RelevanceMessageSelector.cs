using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// The default <see cref="IMessageSelector"/>: ranks every turn of the session by its relevance to the query — lexical (Okapi
/// BM25), fused with vector similarity when an embedding generator is given — and a small recency prior, so that the token budget
/// is filled with the most relevant turns first.
/// </summary>
/// <remarks>
/// <para>Every turn is ranked: there is no candidate window, and no switch to recency when the session is short. The latest
/// <see cref="RelevanceSelectorOptions.AlwaysIncludeLatest"/> turns come first whatever their score, so the conversation keeps its
/// thread; then every other turn by score (see <see cref="RelevanceSelectorOptions"/> for the formula). The pipeline fills
/// <see cref="DexterSessionsOptions.MaxContextTokens"/> in that order and gives the model the turns that fit in chronological order.
/// No threshold leaves the budget empty: when nothing matches, recency ranks the turns.</para>
/// <para><b>Lexical relevance</b> is the BM25 (k1 = 1.2, b = 0.75) of the query against each turn's question and answer (tool
/// results are not indexed). Words are split by the word pre-tokenizer of Microsoft.ML.Tokenizers, lower-cased and stripped of
/// accents; numbers and words of any script are kept, a short list of English stop words is not. The statistics are kept per
/// session and extended with the turns appended since the last query, so a query walks only the postings of its own words.</para>
/// <para><b>Vector similarity</b>, with a generator: the query is embedded once, and the new turn is recorded with that vector;
/// after the turn is recorded, off the answer's path, its answer is embedded and the turn's vector becomes the normalized sum of
/// both (<see cref="IndexTurnAsync"/>), stored with <see cref="ISessionStore.UpdateEmbeddingsAsync"/>. Turns recorded without a
/// vector are embedded whole (question and answer), at most <see cref="RelevanceSelectorOptions.MaxEmbeddedPerQuery"/> per query,
/// and returned in <see cref="MessageSelection.UpdatedTurns"/> to be stored. A generator that fails or times out never fails a
/// turn: the query is ranked without vectors and a warning is logged.</para>
/// <para>The selector is safe to use from many threads. Its state is the lexical statistics of the sessions queried lately,
/// bounded by <see cref="MaxIndexedTurns"/> turns in all (the sessions used least recently leave first).</para>
/// </remarks>
public sealed partial class RelevanceMessageSelector : IMessageSelector, ITurnIndexer
{
    /// <summary>How many turns the lexical statistics of all sessions hold together at most.</summary>
    public const int MaxIndexedTurns = 200_000;

    /// <summary>How many characters of a turn's answer (and of a whole turn) are embedded at most; models read a few hundred tokens.</summary>
    private const int MaxEmbeddedCharacters = 4_000;

    /// <summary>The fewest turns a selection with a token budget returns (when the session has them).</summary>
    private const int MinRankedTurns = 64;

    private readonly BoundedSessionCache<LexicalIndex> _indexes = new(MaxIndexedTurns);
    private readonly int _alwaysIncludeLatest;
    private readonly double _lexicalWeight;
    private readonly double _vectorWeight;
    private readonly double _recencyWeight;
    private readonly int? _maxTurns;
    private readonly int _maxEmbedded;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a selector.</summary>
    /// <param name="generator">Embeds queries and turns; lexical relevance and recency alone when <see langword="null"/>.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock that times generator calls; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="OptionsValidationException">An option has a value out of its range.</exception>
    public RelevanceMessageSelector(
        IEmbeddingGenerator<string, Embedding<float>>? generator = null,
        IOptions<RelevanceSelectorOptions>? options = null,
        TimeProvider? timeProvider = null,
        ILogger<RelevanceMessageSelector>? logger = null)
    {
        var value = options?.Value ?? new RelevanceSelectorOptions();
        var validation = RelevanceSelectorOptionsValidator.Instance.Validate(Options.DefaultName, value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RelevanceSelectorOptions), validation.Failures);
        }

        Generator = generator;
        _alwaysIncludeLatest = value.AlwaysIncludeLatest;
        _lexicalWeight = value.LexicalWeight;
        _vectorWeight = value.VectorWeight;
        _recencyWeight = value.RecencyWeight;
        _maxTurns = value.MaxTurns;
        _maxEmbedded = value.MaxEmbeddedPerQuery;
        _timeout = value.EmbeddingTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Gets the generator that embeds queries and turns; <see langword="null"/> when the selector ranks without vectors.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? Generator { get; }

    /// <summary>Gets whether recorded turns are embedded (a generator is given and <see cref="RelevanceSelectorOptions.VectorWeight"/> is not 0).</summary>
    public bool IndexesTurns => Generator is not null && _vectorWeight > 0;

    /// <summary>Returns <see cref="MessageSelectionContext.WholeSession"/>: every turn of the session is ranked.</summary>
    /// <param name="maxMessages">Not used.</param>
    /// <returns><see cref="MessageSelectionContext.WholeSession"/>.</returns>
    public int GetCandidateCount(int maxMessages) => MessageSelectionContext.WholeSession;

    /// <summary>Ranks every turn by relevance to the query and recency, the latest turns first.</summary>
    /// <param name="context">The query and the session's turns, in chronological order.</param>
    /// <param name="cancellationToken">A token to cancel the selection.</param>
    /// <returns>
    /// The turns (all of them, or at most <see cref="RelevanceSelectorOptions.MaxTurns"/> and <see cref="MessageSelectionContext.MaxMessages"/>)
    /// in chronological order and most relevant first, with each one's <see cref="TurnRelevance"/>; the query's vector; the turns
    /// embedded on the way, to be stored.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<MessageSelection> SelectAsync(MessageSelectionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var turns = context.Turns;
        if (turns.Count == 0)
        {
            return new MessageSelection([]);
        }

        var lexical = new double[turns.Count];
        var queryTerms = LexicalIndex.QueryTerms(context.Query);
        if (queryTerms.Count > 0 && _lexicalWeight > 0)
        {
            ScoreLexical(context.SessionId, turns, queryTerms, lexical, cancellationToken);
        }

        VectorScores? vectors = null;
        if (IndexesTurns)
        {
            try
            {
                vectors = await ScoreVectorsAsync(context, cancellationToken).ConfigureAwait(false);
                turns = vectors.Turns;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                Log.VectorsFailed(_logger, context.SessionId, ex);
            }
        }

        var ranking = Rank(lexical, vectors?.Similarities);
        var order = ranking.Order;
        var limit = Math.Min(order.Length, Math.Min(context.MaxMessages, _maxTurns ?? int.MaxValue));
        if (context.MaxTokens is { } maxTokens)
        {
            // Only what the budget could hold, with room to spare for the budget's own choices: the best turns until they hold
            // three budgets' worth of tokens (and 64 turns at least), rather than all of a long session.
            var tokens = 0L;
            var needed = 0;
            while (needed < limit && (needed < MinRankedTurns || tokens < 3L * maxTokens))
            {
                tokens += EstimatedTokens(turns[order[needed]]);
                needed++;
            }

            limit = needed;
        }

        var bestFirst = new Message[limit];
        var parts = new TurnRelevance[limit];
        var chronological = new int[limit];
        for (var i = 0; i < limit; i++)
        {
            bestFirst[i] = turns[order[i]];
            parts[i] = ranking.Relevance(order[i]);
            chronological[i] = order[i];
        }

        Array.Sort(chronological);
        var selected = Array.ConvertAll(chronological, i => turns[i]);
        Log.Ranked(_logger, turns.Count, context.SessionId, lexical.Any(static s => s > 0), vectors is not null);
        return new MessageSelection(selected, vectors?.Updated, bestFirst)
        {
            Relevance = parts,
            QueryEmbedding = vectors?.Query ?? default,
        };
    }

    /// <summary>Returns the new turn as it is: it carries the query's vector the selection computed, and a turn without one (the
    /// generator failed or timed out) is embedded after it is recorded, off the answer's path (<see cref="IndexTurnAsync"/>).</summary>
    /// <param name="message">The new turn.</param>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns><paramref name="message"/>.</returns>
    public ValueTask<Message> PrepareTurnAsync(Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message);
    }

    /// <summary>
    /// Embeds a recorded turn's answer and gives the turn the normalized sum of its query's vector and its answer's, so that the
    /// whole turn is what a later query is compared with.
    /// </summary>
    /// <param name="recorded">The recorded turn.</param>
    /// <param name="cancellationToken">A token to cancel the work.</param>
    /// <returns>The turn with its whole-turn vector; <see langword="null"/> without a generator, when the answer is empty, or when embedding failed (logged).</returns>
    public async ValueTask<Message?> IndexTurnAsync(Message recorded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!IndexesTurns || string.IsNullOrWhiteSpace(recorded.Answer))
        {
            return null;
        }

        try
        {
            var hasQueryVector = !recorded.Embedding.IsEmpty;
            string[] texts = hasQueryVector ? [Trim(recorded.Answer)] : [recorded.Query, Trim(recorded.Answer)];
            var embedded = await GenerateAsync(texts, cancellationToken).ConfigureAwait(false);
            var query = hasQueryVector ? recorded.Embedding : Normalize(embedded[0].Vector);
            var answer = Normalize(embedded[^1].Vector);
            if (answer.Length != query.Length)
            {
                return recorded with { Embedding = answer };
            }

            var sum = new float[query.Length];
            TensorPrimitives.Add(query.Span, answer.Span, sum);
            return recorded with { Embedding = Normalize(sum) };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.IndexTurnFailed(_logger, recorded.Id, ex);
            return null;
        }
    }

    /// <summary>Scores the turns by BM25 through the session's index, extended with the turns it does not hold yet.</summary>
    private void ScoreLexical(string? sessionId, IReadOnlyList<Message> turns, IReadOnlyCollection<string> queryTerms, double[] scores, CancellationToken cancellationToken)
    {
        var index = sessionId is null ? null : _indexes.Get(sessionId);
        if (index is not null)
        {
            lock (index)
            {
                if (index.IsConsistentWith(turns))
                {
                    index.AddFrom(turns, cancellationToken);
                    index.Score(queryTerms, turns.Count, scores);
                    _indexes.UpdateWeight(sessionId!, index, index.Count);
                    return;
                }
            }
        }

        // A MessageHistory (no session id), a session not held yet, or one whose turns changed: index the turns afresh.
        index = new LexicalIndex();
        lock (index)
        {
            index.AddFrom(turns, cancellationToken);
            index.Score(queryTerms, turns.Count, scores);
        }

        if (sessionId is not null)
        {
            _indexes.Set(sessionId, index, index.Count);
        }
    }

    /// <summary>Embeds the query and compares it with every turn's vector, embedding the turns recorded without one first.</summary>
    private async Task<VectorScores> ScoreVectorsAsync(MessageSelectionContext context, CancellationToken cancellationToken)
    {
        var embedded = await GenerateAsync([context.Query], cancellationToken).ConfigureAwait(false);
        var query = Normalize(embedded[0].Vector);
        if (query.IsEmpty)
        {
            throw new InvalidOperationException("The embedding generator returned an empty vector for the query.");
        }

        var turns = context.Turns;
        var similarities = new float[turns.Count];
        List<int>? missing = null;
        for (var i = turns.Count - 1; i >= 0; i--)
        {
            var vector = turns[i].Embedding.Span;
            similarities[i] = vector.Length == query.Length ? TensorPrimitives.CosineSimilarity(query.Span, vector) : float.NaN;
            if (float.IsNaN(similarities[i]) && (missing ??= []).Count < _maxEmbedded)
            {
                missing.Add(i); // the newest first
            }
        }

        List<Message>? updated = null;
        if (missing is { Count: > 0 })
        {
            var texts = missing.ConvertAll(i => Trim(turns[i].Query + "\n" + turns[i].Answer)).ToArray();
            var vectors = await GenerateAsync(texts, cancellationToken).ConfigureAwait(false);
            var merged = turns.ToArray();
            updated = new List<Message>(missing.Count);
            for (var m = 0; m < missing.Count; m++)
            {
                var i = missing[m];
                var vector = Normalize(vectors[m].Vector);
                merged[i] = merged[i] with { Embedding = vector };
                similarities[i] = vector.Length == query.Length ? TensorPrimitives.CosineSimilarity(query.Span, vector.Span) : float.NaN;
                if (merged[i].Id > 0)
                {
                    updated.Add(merged[i]);
                }
            }

            var left = similarities.Count(float.IsNaN);
            Log.EmbeddedPastTurns(_logger, missing.Count, context.SessionId, left);
            turns = merged;
        }

        return new VectorScores(query, similarities, turns, updated);
    }

    /// <summary>
    /// Orders the turns: the latest <see cref="RelevanceSelectorOptions.AlwaysIncludeLatest"/> newest first, then the others by score,
    /// the newer first among equals.
    /// </summary>
    private Ranking Rank(double[] lexical, float[]? similarities)
    {
        var count = lexical.Length;
        var bestLexical = 0.0;
        foreach (var score in lexical)
        {
            bestLexical = Math.Max(bestLexical, score);
        }

        // Vector similarity counts above the session's mean, relative to the best: most turns are loosely similar to anything.
        double mean = 0, bestVector = double.NegativeInfinity;
        var compared = 0;
        if (similarities is not null)
        {
            foreach (var similarity in similarities)
            {
                if (!float.IsNaN(similarity))
                {
                    mean += similarity;
                    bestVector = Math.Max(bestVector, similarity);
                    compared++;
                }
            }

            mean = compared > 0 ? mean / compared : 0;
        }

        var useVectors = compared > 0 && bestVector > mean;
        var lexicalWeight = bestLexical > 0 ? _lexicalWeight : 0;
        var vectorWeight = useVectors ? _vectorWeight : 0;
        var relevanceWeight = lexicalWeight + vectorWeight;
        var keys = new double[count];
        var order = new int[count];
        var pinned = Math.Min(_alwaysIncludeLatest, count);

        // A turn's score and its parts; computed for every turn to rank, kept only for the turns returned.
        TurnRelevance Relevance(int i)
        {
            var lexicalPart = bestLexical > 0 ? lexical[i] / bestLexical : 0;
            double? vectorPart = similarities is null || float.IsNaN(similarities[i]) ? null
                : useVectors ? Math.Clamp((similarities[i] - mean) / (bestVector - mean), 0, 1) : 0;
            var relevant = relevanceWeight > 0 ? ((lexicalWeight * lexicalPart) + (vectorWeight * (vectorPart ?? 0))) / relevanceWeight : 0;
            var recency = count > 1 ? i / (double)(count - 1) : 1.0;
            var score = ((1 - _recencyWeight) * relevant) + (_recencyWeight * recency);
            return new TurnRelevance(score, lexicalPart, vectorPart, recency, i >= count - pinned);
        }

        for (var i = 0; i < count; i++)
        {
            var relevance = Relevance(i);

            // Sorted ascending: pinned turns before all others (newest first), then by score, the newer first among equals.
            keys[i] = relevance.Pinned ? -3 - relevance.Recency : -relevance.Score - (relevance.Recency * 1e-9);
            order[i] = i;
        }

        Array.Sort(keys, order);
        return new Ranking(order, Relevance);
    }

    /// <summary>A turn's tokens in the context: as recorded, else estimated from its length (four characters a token).</summary>
    private static int EstimatedTokens(Message turn) => turn.TokenCount ?? (8 + ((turn.Query.Length + turn.Answer.Length) / 4));

    /// <summary>The turns' indices best first, and each turn's score parts.</summary>
    private sealed record Ranking(int[] Order, Func<int, TurnRelevance> Relevance);

    private async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(string[] texts, CancellationToken cancellationToken)
    {
        using var timeout = _timeout == Timeout.InfiniteTimeSpan ? null : new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked?.Token ?? cancellationToken;
        GeneratedEmbeddings<Embedding<float>> embeddings;
        try
        {
            // WaitAsync also ends the wait for a generator that ignores its token.
            embeddings = await Generator!.GenerateAsync(texts, options: null, token).WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                string.Create(CultureInfo.InvariantCulture, $"The embedding generator did not answer within {_timeout.TotalSeconds:0.###} s ({RelevanceSelectorOptions.SectionName}:EmbeddingTimeout)."),
                ex);
        }

        if (embeddings is null || embeddings.Count != texts.Length)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"The embedding generator returned {embeddings?.Count ?? 0} embeddings for {texts.Length} texts; it must return one per text, in order."));
        }

        return embeddings;
    }

    private static string Trim(string text) => text.Length <= MaxEmbeddedCharacters ? text : text[..MaxEmbeddedCharacters];

    /// <summary>The vector scaled to unit length; an empty or zero vector as it is.</summary>
    private static ReadOnlyMemory<float> Normalize(ReadOnlyMemory<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector.Span);
        if (norm == 0 || !float.IsFinite(norm) || MathF.Abs(norm - 1) < 1e-5f)
        {
            return vector;
        }

        var copy = new float[vector.Length];
        TensorPrimitives.Divide(vector.Span, norm, copy);
        return copy;
    }

    private sealed record VectorScores(ReadOnlyMemory<float> Query, float[] Similarities, IReadOnlyList<Message> Turns, List<Message>? Updated);
}
