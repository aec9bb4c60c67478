using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions;

/// <summary>
/// An opt-in <see cref="IMessageSelector"/> that gives the model the past turns sharing the most words with the new query,
/// ranked by Okapi BM25, without a model or an embedding.
/// </summary>
/// <remarks>
/// <para>With at most <see cref="MessageSelectionContext.MaxMessages"/> turns, all are used. Otherwise the latest
/// <see cref="LexicalSelectorOptions.AlwaysIncludeLatest"/> turns are kept, and every other candidate is scored by the BM25
/// (k1 = 1.2, b = 0.75) of the query against the turn's query and answer, with the document frequencies and lengths of the
/// candidates given. The score, divided by the best one, is blended with a small recency prior
/// (<see cref="LexicalSelectorOptions.RecencyWeight"/>), so that among equally relevant turns the newer ones win. The best
/// turns fill the selection, which is returned in chronological order.</para>
/// <para>Words are split by the word pre-tokenizer of Microsoft.ML.Tokenizers, lower-cased, stripped of accents ("café" matches
/// "cafe"); numbers and words of any script are kept, a short list of English stop words is not. When the query has no such
/// word, or no candidate shares one, the latest turns are used.</para>
/// <para>The selector holds no state between queries and is safe to use from many threads.</para>
/// </remarks>
public sealed partial class LexicalMessageSelector : IMessageSelector
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly int _alwaysIncludeLatest;
    private readonly int _maxCandidates;
    private readonly double _recencyWeight;
    private readonly ILogger _logger;

    /// <summary>Initializes a selector.</summary>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="logger">The logger; none when <see langword="null"/>.</param>
    /// <exception cref="OptionsValidationException">An option has a value out of its range.</exception>
    public LexicalMessageSelector(IOptions<LexicalSelectorOptions>? options = null, ILogger<LexicalMessageSelector>? logger = null)
    {
        var value = options?.Value ?? new LexicalSelectorOptions();
        var validation = LexicalSelectorOptionsValidator.Instance.Validate(Options.DefaultName, value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(LexicalSelectorOptions), validation.Failures);
        }

        _alwaysIncludeLatest = value.AlwaysIncludeLatest;
        _maxCandidates = value.MaxCandidates;
        _recencyWeight = value.RecencyWeight;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Returns how many of the latest turns to score: <see cref="LexicalSelectorOptions.MaxCandidates"/>, and at least <paramref name="maxMessages"/>.</summary>
    /// <param name="maxMessages">How many turns the selection returns at most.</param>
    /// <returns>How many of the latest turns the agent reads from the store.</returns>
    public int GetCandidateCount(int maxMessages) => Math.Max(maxMessages, _maxCandidates);

    /// <summary>Selects the latest turns and the past turns that share the most words with the query, in chronological order.</summary>
    /// <param name="context">The query, the candidate turns and the limit.</param>
    /// <param name="cancellationToken">A token to cancel the selection.</param>
    /// <returns>At most <see cref="MessageSelectionContext.MaxMessages"/> turns, in chronological order; the latest turns when no turn shares a word with the query.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<MessageSelection> SelectAsync(MessageSelectionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        if (context.Turns.Count <= context.MaxMessages)
        {
            return new(new MessageSelection(context.Turns));
        }

        // Only the latest MaxCandidates turns are scored, also when the caller passes more (a MessageHistory passes all).
        var candidateCount = GetCandidateCount(context.MaxMessages);
        var candidates = context.Turns.Count > candidateCount ? RecentMessageSelector.TakeLast(context.Turns, candidateCount) : context.Turns;
        var bm25 = Score(context.Query, candidates, cancellationToken);
        var best = bm25 is null ? 0 : bm25.Max();
        if (best <= 0)
        {
            Log.NoTurnMatched(_logger, candidates.Count, context.MaxMessages);
            return new(new MessageSelection(RecentMessageSelector.TakeLast(candidates, context.MaxMessages)));
        }

        // The latest turns first, whatever their score, then the others by score; ties go to the newer turn.
        var count = candidates.Count;
        var pinned = Math.Min(_alwaysIncludeLatest, context.MaxMessages);
        var recencyStep = count > 1 ? 1.0 / (count - 1) : 0.0;
        var scores = new double[count];
        var ranked = new int[count - pinned];
        for (var i = 0; i < ranked.Length; i++)
        {
            ranked[i] = i;
            scores[i] = ((1 - _recencyWeight) * bm25![i] / best) + (_recencyWeight * i * recencyStep);
        }

        Array.Sort(ranked, (x, y) => scores[x] != scores[y] ? scores[y].CompareTo(scores[x]) : y.CompareTo(x));
        var bestFirst = new List<int>(context.MaxMessages);
        for (var i = count - 1; i >= count - pinned; i--)
        {
            bestFirst.Add(i);
        }

        for (var i = 0; bestFirst.Count < context.MaxMessages && i < ranked.Length; i++)
        {
            bestFirst.Add(ranked[i]);
        }

        var chronological = bestFirst.ToArray();
        Array.Sort(chronological);
        var selected = Array.ConvertAll(chronological, i => candidates[i]);
        var mostRelevantFirst = bestFirst.ConvertAll(i => candidates[i]);
        Log.Selected(_logger, selected.Length, candidates.Count);
        return new(new MessageSelection(selected, mostRelevantFirst: mostRelevantFirst));
    }

    /// <summary>
    /// Scores every candidate by the Okapi BM25 of the query's terms against its query and answer, the document frequencies and
    /// the average length taken over the candidates.
    /// </summary>
    /// <returns>One score per candidate; <see langword="null"/> when the query has no term.</returns>
    private static double[]? Score(string query, IReadOnlyList<Message> candidates, CancellationToken cancellationToken)
    {
        var queryTerms = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in LexicalTerms.Of(query))
        {
            queryTerms.TryAdd(term, queryTerms.Count);
        }

        if (queryTerms.Count == 0)
        {
            return null;
        }

        // One pass over the candidates: each one's length and the frequency in it of each query term.
        var count = candidates.Count;
        var frequencies = new int[count * queryTerms.Count];
        var documentFrequencies = new int[queryTerms.Count];
        var lengths = new int[count];
        long totalLength = 0;
        var terms = new List<string>();
        for (var i = 0; i < count; i++)
        {
            if ((i & 63) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            terms.Clear();
            LexicalTerms.Add(candidates[i].Query, terms);
            LexicalTerms.Add(candidates[i].Answer, terms);
            lengths[i] = terms.Count;
            totalLength += terms.Count;
            var row = frequencies.AsSpan(i * queryTerms.Count, queryTerms.Count);
            foreach (var term in terms)
            {
                if (queryTerms.TryGetValue(term, out var t) && row[t]++ == 0)
                {
                    documentFrequencies[t]++;
                }
            }
        }

        var inverseDocumentFrequencies = new double[queryTerms.Count];
        for (var t = 0; t < inverseDocumentFrequencies.Length; t++)
        {
            // The non-negative form (as in Lucene): a term found in every turn adds little, never less than nothing.
            inverseDocumentFrequencies[t] = Math.Log(1 + ((count - documentFrequencies[t] + 0.5) / (documentFrequencies[t] + 0.5)));
        }

        var averageLength = Math.Max(1.0, (double)totalLength / count);
        var scores = new double[count];
        for (var i = 0; i < count; i++)
        {
            var norm = K1 * (1 - B + (B * lengths[i] / averageLength));
            var row = frequencies.AsSpan(i * queryTerms.Count, queryTerms.Count);
            var score = 0.0;
            for (var t = 0; t < row.Length; t++)
            {
                if (row[t] > 0)
                {
                    score += inverseDocumentFrequencies[t] * row[t] * (K1 + 1) / (row[t] + norm);
                }
            }

            scores[i] = score;
        }

        return scores;
    }
}
