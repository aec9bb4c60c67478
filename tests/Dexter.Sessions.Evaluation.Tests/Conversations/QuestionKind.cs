namespace Dexter.Sessions.Evaluation.Tests.Conversations;

/// <summary>What a question asks, and so which turns it needs.</summary>
internal enum QuestionKind
{
    /// <summary>One fact, asked in other words than it was stated ("What pet does my sister keep?" for "Ana adopted a tabby cat").</summary>
    SingleFact,

    /// <summary>Two facts in one question; both turns that stated them are needed.</summary>
    TwoFacts,

    /// <summary>When something happened; the turn that told it is needed, and its date is the answer.</summary>
    When,

    /// <summary>The current value of a fact that changed; the turn with the latest value is needed, the older ones are stale.</summary>
    LatestValue,
}
