namespace Dexter.Sessions.Tests.Context;

public sealed class TextContextFormatTests
{
    [Test]
    public void Format_TwoTurns_MatchesTheOriginalFormat_AndCutsLongAnswersAt400()
    {
        var longAnswer = new string('x', 400) + "TAIL";
        var history = new MessageHistory();
        history.AddTurn("What is Bitcoin?", longAnswer);
        history.AddTurn("Why is it valuable?", "Scarcity.");

        var text = TextContextFormat.Format(history.GetAll());

        Assert.That(text, Is.EqualTo(
            "## Previous Conversation Context\n\n" +
            "**Turn 1:**\n" +
            "- User: What is Bitcoin?\n" +
            "- Agent: " + new string('x', 400) + "...\n\n" +
            "**Turn 2:**\n" +
            "- User: Why is it valuable?\n" +
            "- Agent: Scarcity.\n\n" +
            "---\n"));
    }

    [Test]
    public void Format_AnswerOfExactly400Characters_IsNotCut()
    {
        var history = new MessageHistory();
        history.AddTurn("q", new string('y', 400));

        var text = TextContextFormat.Format(history.GetAll());

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("- Agent: " + new string('y', 400) + "\n\n"));
            Assert.That(text, Does.Not.Contain("..."));
        });
    }

    [Test]
    public void Format_SurrogatePairAcrossThe400Cut_IsNotSplit()
    {
        var history = new MessageHistory();
        history.AddTurn("q", new string('x', 399) + "😀" + "tail");

        var text = TextContextFormat.Format(history.GetAll());

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("- Agent: " + new string('x', 399) + "...\n\n"));
            Assert.That(text.Any(char.IsSurrogate), Is.False);
        });
    }

    [Test]
    public void Format_SurrogatePairEndingAtThe400Cut_IsKept()
    {
        var history = new MessageHistory();
        history.AddTurn("q", new string('x', 398) + "😀" + "tail");

        Assert.That(TextContextFormat.Format(history.GetAll()), Does.Contain("- Agent: " + new string('x', 398) + "😀...\n\n"));
    }

    [Test]
    public void Format_Empty_ReturnsEmptyString()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TextContextFormat.Format([]), Is.EqualTo(string.Empty));
            Assert.That(TextContextFormat.Format(new MessageHistory().GetAll()), Is.EqualTo(string.Empty));
        });
    }

    [Test]
    public void Format_SelectedTurns_AreNumberedByTheirIds()
    {
        var history = new MessageHistory();
        for (var i = 1; i <= 5; i++)
        {
            history.AddTurn("q" + i, "a" + i);
        }

        var text = TextContextFormat.Format([history.GetById(2)!, history.GetById(5)!]);

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.StartWith(TextContextFormat.Header + "\n\n**Turn 2:**\n- User: q2\n- Agent: a2\n\n**Turn 5:**"));
            Assert.That(text, Does.Not.Contain("q1"));
        });
    }

    [Test]
    public void Format_Null_Throws()
    {
        Assert.That(() => TextContextFormat.Format(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("turns"));
    }
}
