namespace Dexter.Sessions.Evaluation.Tests.Conversations;

/// <summary>The conversations the evaluations run on: <see cref="Count"/> conversations generated from <see cref="Seed"/>.</summary>
internal static class EvaluatedConversations
{
    /// <summary>The seed.</summary>
    public const int Seed = 20261201;

    /// <summary>How many conversations.</summary>
    public const int Count = 6;

    /// <summary>Generates the conversations.</summary>
    public static IReadOnlyList<Conversation> Generate() => ConversationGenerator.Generate(Count, Seed);
}
