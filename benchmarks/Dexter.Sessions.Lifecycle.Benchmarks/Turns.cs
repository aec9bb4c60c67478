using System.Globalization;

namespace Dexter.Sessions.Lifecycle.Benchmarks;

/// <summary>Turns of about 500 bytes as the stores hold them: a 100-character question, a 300-character answer and a 40-character summary.</summary>
public static class Turns
{
    private const string Query = "How does the quarterly report explain the growth of cloud revenue, and which regions drove it most?";
    private const string Answer =
        "Cloud revenue grew 23 percent year over year. The report credits new enterprise contracts in Europe and North America, " +
        "a price change on storage tiers, and lower churn among mid-sized customers. Asia grew more slowly because of one large " +
        "customer that moved back to its own data centers this";
    private const string Summary = "Cloud revenue +23% y/y, led by EU and NA.";

    public static Message Create(int i) => new()
    {
        Query = Query + " #" + i.ToString(CultureInfo.InvariantCulture),
        Answer = Answer,
        Summary = Summary,
        CreatedAt = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero).AddSeconds(i),
        InputTokenCount = 400,
        OutputTokenCount = 80,
        ResponseTime = TimeSpan.FromMilliseconds(1830),
    };

    public static MessageHistory History(int count) => new(Enumerable.Range(1, count).Select(i => Create(i) with { Id = i }));
}
