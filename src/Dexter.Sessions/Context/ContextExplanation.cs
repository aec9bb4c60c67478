using Microsoft.Extensions.AI;

namespace Dexter.Sessions;

/// <summary>
/// What the model receives before a query, and why: the context messages, and for each past turn among them its id, its tokens
/// and the parts of the score it was chosen by. Returned by <see cref="SessionTurnPipeline.ExplainContextAsync"/> (which records
/// nothing) and kept on every <see cref="SessionTurn"/> (<see cref="SessionTurn.Explanation"/>).
/// </summary>
public sealed class ContextExplanation
{
    internal ContextExplanation(
        IReadOnlyList<ChatMessage> messages, IReadOnlyList<ExplainedTurn> turns, SessionSummary? rollingSummary, int tokenCount,
        int maxTokens, int consideredTurns, string selector, bool selectorFellBack)
    {
        Messages = messages;
        Turns = turns;
        RollingSummary = rollingSummary;
        TokenCount = tokenCount;
        MaxTokens = maxTokens;
        ConsideredTurns = consideredTurns;
        Selector = selector;
        SelectorFellBack = selectorFellBack;
    }

    /// <summary>Gets the context messages the model receives before the turn's own messages: instructions, rolling summary, past turns.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets the past turns in the context, in chronological order.</summary>
    public IReadOnlyList<ExplainedTurn> Turns { get; }

    /// <summary>Gets the rolling summary in the context, when there is one.</summary>
    public SessionSummary? RollingSummary { get; }

    /// <summary>Gets the tokens of <see cref="Messages"/>, counted as the budget counts them.</summary>
    public int TokenCount { get; }

    /// <summary>Gets the budget: <see cref="DexterSessionsOptions.MaxContextTokens"/>.</summary>
    public int MaxTokens { get; }

    /// <summary>Gets how many past turns the selector chose from.</summary>
    public int ConsideredTurns { get; }

    /// <summary>Gets the name of the selector's type.</summary>
    public string Selector { get; }

    /// <summary>Gets whether the selector failed and the latest turns were used instead.</summary>
    public bool SelectorFellBack { get; }

    /// <summary>The turns in the context as they were given to the model (cut when they were cut), in chronological order.</summary>
    internal IReadOnlyList<Message> ContextTurns { get; init; } = [];
}

/// <summary>A past turn in the context: its id, the tokens it takes, and why it was chosen.</summary>
/// <param name="TurnId">The turn's id in its session.</param>
/// <param name="Tokens">The tokens the turn takes in the context.</param>
/// <param name="Rank">Its place in the selector's ranking, 1 for the first.</param>
/// <param name="Relevance">The parts of its score; <see langword="null"/> when the selector does not say (recency).</param>
/// <param name="Cut">Whether its answer was cut to fit the budget.</param>
public sealed record ExplainedTurn(int TurnId, int Tokens, int Rank, TurnRelevance? Relevance, bool Cut);
