using System.Text;

namespace Dexter.Sessions.PostgreSql.Benchmarks;

/// <summary>Turns of a realistic size: a 120-character query, an 800-character answer and a 100-character summary.</summary>
public static class Turns
{
    private static readonly string Query = Text("What did the quarterly report say about revenue growth in the cloud segment", 120);
    private static readonly string Answer = Text("Revenue in the cloud segment grew by 23 percent year over year, driven by", 800);
    private static readonly string Summary = Text("Cloud revenue up 23% y/y", 100);

    public static Message Create(int i) => new()
    {
        Query = Query + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Answer = Answer,
        Summary = Summary,
        CreatedAt = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero).AddSeconds(i),
        InputTokenCount = 1200,
        OutputTokenCount = 250,
        ResponseTime = TimeSpan.FromMilliseconds(1830),
    };

    public static MessageHistory History(int count) => new(Enumerable.Range(1, count).Select(i => Create(i) with { Id = i }));

    private static string Text(string seed, int length)
    {
        var text = new StringBuilder(length + seed.Length);
        while (text.Length < length)
        {
            text.Append(seed).Append(' ');
        }

        return text.ToString(0, length);
    }
}
