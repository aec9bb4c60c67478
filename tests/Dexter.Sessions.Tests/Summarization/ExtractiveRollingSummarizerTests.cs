namespace Dexter.Sessions.Tests.Summarization;

public sealed class ExtractiveRollingSummarizerTests
{
    private static readonly ExtractiveRollingSummarizer Summarizer = new();

    private static Message Turn(int id, string summary = "", string query = "q", string answer = "a") =>
        new() { Id = id, Query = query, Answer = answer, Summary = summary };

    private static int Tokens(string text) => ContextBudget.DefaultTokenizer.CountTokens(text);

    [Test]
    public void Fold_NoPreviousSummary_OneLinePerTurnWithItsId()
    {
        var text = Summarizer.Fold(null, [Turn(1, "Alice asked about Bitcoin"), Turn(2, query: "What is the halving?", answer: "Every 210,000 blocks.")], 200);

        Assert.That(text.Split('\n'), Is.EqualTo(new[] { "#1 Alice asked about Bitcoin", "#2 What is the halving? → Every 210,000 blocks." }));
    }

    [Test]
    public void Fold_WithPreviousSummary_KeepsItAndAddsOnlyTheNewTurns()
    {
        var previous = "#1 first\n#2 second";

        var text = Summarizer.Fold(previous, [Turn(3, "third")], 200);

        Assert.That(text, Is.EqualTo("#1 first\n#2 second\n#3 third"));
    }

    [Test]
    public void Fold_MultiLineTurnSummary_BecomesOneLine()
    {
        var text = Summarizer.Fold(null, [Turn(7, "line one\r\nline two\nline three")], 200);

        Assert.That(text, Is.EqualTo("#7 line one line two line three"));
    }

    [Test]
    public void Fold_OverTheLimit_ShortensTheOldestLinesFirstAndKeepsTheNewestWhole()
    {
        var words = string.Join(' ', Enumerable.Range(1, 40).Select(i => "word" + i));
        var turns = Enumerable.Range(1, 6).Select(i => Turn(i, words)).ToList();
        var whole = Tokens("#6 " + words);

        var text = Summarizer.Fold(null, turns, whole + 4 * (ExtractiveRollingSummarizer.ShortLineTokens + 1) + 10);
        var lines = text.Split('\n');

        Assert.Multiple(() =>
        {
            Assert.That(lines[^1], Is.EqualTo("#6 " + words), "the newest folded turn keeps its detail");
            Assert.That(lines[0], Does.StartWith("#"), "a shortened line keeps its turn id");
            Assert.That(lines.Take(lines.Length - 1).All(l => Tokens(l) <= ExtractiveRollingSummarizer.ShortLineTokens), Is.True);
            Assert.That(Tokens(text), Is.LessThanOrEqualTo(whole + 4 * (ExtractiveRollingSummarizer.ShortLineTokens + 1) + 10));
        });
    }

    [Test]
    public void Fold_ShortenedLine_KeepsWhatTheUserSaid()
    {
        var turns = new[]
        {
            Turn(1, "Project Amber Falcon is owned by Rosa Lindqvist. → Noted, I will remember that and much more besides, at length."),
            Turn(2, string.Join(' ', Enumerable.Repeat("detail", 60))),
        };

        var text = Summarizer.Fold(null, turns, Tokens("#2 " + turns[1].Summary) + ExtractiveRollingSummarizer.ShortLineTokens + 2);

        Assert.That(text.Split('\n')[0], Is.EqualTo("#1 Project Amber Falcon is owned by Rosa Lindqvist."));
    }

    [Test]
    public void Fold_ManyTurns_DropsTheOldestOnceEveryLineIsShort()
    {
        var turns = Enumerable.Range(1, 200).Select(i => Turn(i, "the customer said item " + i + " matters because of reasons that take many words to state")).ToList();

        var text = Summarizer.Fold(null, turns, 300);

        Assert.Multiple(() =>
        {
            Assert.That(Tokens(text), Is.LessThanOrEqualTo(300));
            Assert.That(text, Does.Contain("#200 "), "the newest stays");
            Assert.That(text, Does.Not.Contain("#1 "), "the oldest went first");
        });
    }

    [Test]
    public void Fold_OneHugeTurn_IsCutToTheLimit()
    {
        var huge = string.Join(' ', Enumerable.Repeat("blockchain", 5_000));

        var text = Summarizer.Fold(null, [Turn(1, huge)], 100);

        Assert.Multiple(() =>
        {
            Assert.That(Tokens(text), Is.LessThanOrEqualTo(100));
            Assert.That(text, Does.StartWith("#1 blockchain"));
        });
    }

    [Test]
    public void Fold_IsDeterministic()
    {
        var turns = Enumerable.Range(1, 50).Select(i => Turn(i, "summary of turn " + i + " with some detail")).ToList();

        var first = Summarizer.Fold("#0 earlier", turns, 120);
        var second = new ExtractiveRollingSummarizer().Fold("#0 earlier", turns, 120);

        Assert.That(second, Is.EqualTo(first));
    }

    [Test]
    public void FoldAsync_BadArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Summarizer.FoldAsync(null, null!, 10), Throws.ArgumentNullException);
            Assert.That(() => Summarizer.FoldAsync(null, [Turn(1)], 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => Summarizer.FoldAsync(null, [Turn(1)], 10, new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
        });
    }
}
