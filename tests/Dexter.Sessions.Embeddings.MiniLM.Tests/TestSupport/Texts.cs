namespace Dexter.Sessions.Embeddings.MiniLM.Tests.TestSupport;

/// <summary>Texts for the tests.</summary>
internal static class Texts
{
    /// <summary>Words that are each one word piece of the all-MiniLM-L6-v2 vocabulary.</summary>
    public static readonly string[] SinglePieceWords = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "and", "runs", "home"];

    /// <summary>Texts of many lengths, from none to past the token limit.</summary>
    public static IReadOnlyList<string> OfManyLengths(int count) =>
        [.. Enumerable.Range(0, count).Select(i => string.Join(' ', Enumerable.Range(0, (i * 37) % 300).Select(j => SinglePieceWords[(i + j) % SinglePieceWords.Length])))];

    /// <summary><paramref name="count"/> words of <see cref="SinglePieceWords"/>, one after the other.</summary>
    public static string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(i => SinglePieceWords[i % SinglePieceWords.Length]));
}
