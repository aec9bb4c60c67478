namespace Dexter.Sessions.Tests.Stores;

[TestFixture]
public sealed class SessionTitlesTests
{
    [TestCase("What is Bitcoin?", "What is Bitcoin?")]
    [TestCase("  \n\n  First   line\twith  spaces \nsecond line", "First line with spaces")]
    [TestCase("Bell\a and\u200B zero width", "Bell and zero width")]
    [TestCase("How do I migrate a PostgreSQL database with many partitioned tables to a new cluster?", "How do I migrate a PostgreSQL database with many…")]
    [TestCase("Supercalifragilisticexpialidocious-and-more-characters-without-any-space-at-all-here", "Supercalifragilisticexpialidocious-and-more-characters-with…")]
    public void FromQuestion_MakesAShortOneLineTitle(string question, string expected)
    {
        var title = SessionTitles.FromQuestion(question);

        Assert.Multiple(() =>
        {
            Assert.That(title, Is.EqualTo(expected));
            Assert.That(title!.Length, Is.LessThanOrEqualTo(SessionTitles.MaxQuestionTitleLength));
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase(" \r\n\t")]
    public void FromQuestion_NoText_ReturnsNull(string? question) => Assert.That(SessionTitles.FromQuestion(question), Is.Null);

    [Test]
    public void Normalize_BoundsAndCleansTheTitle()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SessionTitles.Normalize("  a\r\n b  "), Is.EqualTo("a b"));
            Assert.That(SessionTitles.Normalize(new string('x', 200)), Has.Length.EqualTo(200));
            Assert.That(() => SessionTitles.Normalize(new string('x', 201)), Throws.ArgumentException.With.Message.Contains("has 201 characters"));
            Assert.That(() => SessionTitles.Normalize("\u0007"), Throws.ArgumentException.With.Message.Contains("The title is empty"));
        });
    }
}
