namespace Dexter.Sessions.Tests.Selection;

public sealed class MessageSelectionContextTests
{
    [Test]
    public void Constructor_KeepsItsArguments()
    {
        Message[] turns = [new Message { Id = 1, Query = "q", Answer = "a" }];

        var context = new MessageSelectionContext("query", turns, 4) { SessionId = "abc" };

        Assert.Multiple(() =>
        {
            Assert.That(context.Query, Is.EqualTo("query"));
            Assert.That(context.Turns, Is.SameAs(turns));
            Assert.That(context.MaxMessages, Is.EqualTo(4));
            Assert.That(context.SessionId, Is.EqualTo("abc"));
            Assert.That(new MessageSelectionContext("q", [], 1).SessionId, Is.Null);
        });
    }

    [Test]
    public void Constructor_BadArguments_ThrowNamingThem()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new MessageSelectionContext(null!, [], 1), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("query"));
            Assert.That(() => new MessageSelectionContext("q", null!, 1), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("turns"));
            Assert.That(() => new MessageSelectionContext("q", [], 0),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("maxMessages"));
            Assert.That(() => new MessageSelectionContext("q", [], -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }
}
