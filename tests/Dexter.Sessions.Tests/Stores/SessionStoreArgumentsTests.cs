namespace Dexter.Sessions.Tests.Stores;

public sealed class SessionStoreArgumentsTests
{
    [Test]
    public void ThrowIfInvalidSummary_ValidArguments_DoesNotThrow()
    {
        Assert.That(() => SessionStoreArguments.ThrowIfInvalidSummary("s1", new SessionSummary("", 1, DateTimeOffset.UnixEpoch), 0), Throws.Nothing);
    }

    [Test]
    public void ThrowIfInvalidSummary_InvalidArguments_ThrowNamingTheArgument()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => SessionStoreArguments.ThrowIfInvalidSummary("not valid!", new SessionSummary("t", 1, DateTimeOffset.UnixEpoch), 0),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("sessionId"));
            Assert.That(() => SessionStoreArguments.ThrowIfInvalidSummary("s1", null!, 0),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("summary"));
            Assert.That(() => SessionStoreArguments.ThrowIfInvalidSummary("s1", new SessionSummary(null!, 1, DateTimeOffset.UnixEpoch), 0),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("summary").And.Message.Contains("no text"));
            Assert.That(() => SessionStoreArguments.ThrowIfInvalidSummary("s1", new SessionSummary("t", 0, DateTimeOffset.UnixEpoch), 0),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("summary").And.Message.Contains("at least turn 1"));
            Assert.That(() => SessionStoreArguments.ThrowIfInvalidSummary("s1", new SessionSummary("t", 1, DateTimeOffset.UnixEpoch), -1),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("expectedThroughTurnId"));
        });
    }

    [Test]
    public void ThrowIfInvalidTurnSummary_InvalidArguments_ThrowNamingTheArgument()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => SessionStoreArguments.ThrowIfInvalidTurnSummary("s1", 1, "summary"), Throws.Nothing);
            Assert.That(() => SessionStoreArguments.ThrowIfInvalidTurnSummary(null!, 1, "summary"), Throws.ArgumentNullException);
            Assert.That(() => SessionStoreArguments.ThrowIfInvalidTurnSummary("s1", 0, "summary"),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("turnId"));
            Assert.That(() => SessionStoreArguments.ThrowIfInvalidTurnSummary("s1", 1, ""),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("summary"));
        });
    }
}
