namespace Dexter.Sessions.Tests.Summarization;

public sealed class TruncatingSummarizerTests
{
    [Test]
    public void Summarize_ShortTexts_JoinsThemWithAnArrow()
    {
        Assert.That(TruncatingSummarizer.Summarize("What is Bitcoin?", "A digital currency."),
            Is.EqualTo("What is Bitcoin? → A digital currency."));
    }

    [Test]
    public void Summarize_LongTexts_KeepsTheFirst60And80Characters()
    {
        var query = string.Concat(Enumerable.Range(0, 100).Select(i => (char)('a' + (i % 26))));
        var answer = string.Concat(Enumerable.Range(0, 200).Select(i => (char)('A' + (i % 26))));

        var summary = TruncatingSummarizer.Summarize(query, answer);

        Assert.Multiple(() =>
        {
            Assert.That(summary, Is.EqualTo(query[..60] + " → " + answer[..80]));
            Assert.That(TruncatingSummarizer.QueryLength, Is.EqualTo(60));
            Assert.That(TruncatingSummarizer.AnswerLength, Is.EqualTo(80));
        });
    }

    [Test]
    public void Summarize_ExactlyTheLimits_KeepsEverything()
    {
        var query = new string('q', 60);
        var answer = new string('a', 80);

        Assert.That(TruncatingSummarizer.Summarize(query, answer), Is.EqualTo(query + " → " + answer));
    }

    [Test]
    public void Summarize_LineBreaksAndTabs_AreFoldedIntoSpaces()
    {
        Assert.That(TruncatingSummarizer.Summarize("line one\nline two", "a\r\nb\tc"),
            Is.EqualTo("line one line two → a  b c"));
    }

    [Test]
    public void Summarize_SurroundingWhitespace_IsTrimmed()
    {
        Assert.That(TruncatingSummarizer.Summarize("  \n q \t", "\n a  "), Is.EqualTo("q → a"));
    }

    [Test]
    public void Summarize_EmptyTexts_KeepsTheArrow()
    {
        Assert.That(TruncatingSummarizer.Summarize("", ""), Is.EqualTo(" → "));
    }

    [Test]
    public void Summarize_SurrogatePairAcrossTheQueryCut_IsDroppedWhole()
    {
        var query = new string('x', 59) + "😀" + "tail";

        var summary = TruncatingSummarizer.Summarize(query, "a");

        Assert.Multiple(() =>
        {
            Assert.That(summary, Is.EqualTo(new string('x', 59) + " → a"));
            Assert.That(summary.Any(char.IsSurrogate), Is.False);
        });
    }

    [Test]
    public void Summarize_SurrogatePairAcrossTheAnswerCut_IsDroppedWhole()
    {
        var answer = new string('y', 79) + "😀" + "tail";

        var summary = TruncatingSummarizer.Summarize("q", answer);

        Assert.That(summary, Is.EqualTo("q → " + new string('y', 79)));
    }

    [Test]
    public void Summarize_SurrogatePairInsideTheCut_IsKept()
    {
        var query = new string('x', 58) + "😀" + "tail";

        Assert.That(TruncatingSummarizer.Summarize(query, "a"), Is.EqualTo(new string('x', 58) + "😀 → a"));
    }

    [Test]
    public void Summarize_NullArgument_ThrowsNamingIt()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => TruncatingSummarizer.Summarize(null!, "a"), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("query"));
            Assert.That(() => TruncatingSummarizer.Summarize("q", null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("answer"));
            Assert.That(() => TruncatingSummarizer.Instance.SummarizeAsync(null!, "a"), Throws.ArgumentNullException);
            Assert.That(() => TruncatingSummarizer.Instance.SummarizeAsync("q", null!), Throws.ArgumentNullException);
        });
    }

    [Test]
    public async Task SummarizeAsync_GivesTheSameTextAsSummarize()
    {
        var query = new string('q', 70) + "\nmore";
        var answer = "Answer\n" + new string('a', 100);

        var summary = await TruncatingSummarizer.Instance.SummarizeAsync(query, answer);

        Assert.That(summary, Is.EqualTo(TruncatingSummarizer.Summarize(query, answer)));
    }

    [Test]
    public void Instance_IsShared()
    {
        var first = TruncatingSummarizer.Instance;

        Assert.That(TruncatingSummarizer.Instance, Is.SameAs(first).And.Not.Null);
    }
}
