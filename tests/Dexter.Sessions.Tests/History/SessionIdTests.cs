using System.Text.RegularExpressions;

namespace Dexter.Sessions.Tests.History;

public sealed class SessionIdTests
{
    [Test]
    public void New_Returns32LowercaseHexCharacters()
    {
        var id = SessionId.New();

        Assert.Multiple(() =>
        {
            Assert.That(id, Has.Length.EqualTo(32));
            Assert.That(Regex.IsMatch(id, "^[0-9a-f]{32}$"), Is.True, id);
            Assert.That(SessionId.IsValid(id), Is.True);
        });
    }

    [Test]
    public void New_ManyCalls_NeverRepeats()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => SessionId.New()).ToHashSet(StringComparer.Ordinal);

        Assert.That(ids, Has.Count.EqualTo(10_000));
    }

    [TestCase("a")]
    [TestCase("Z")]
    [TestCase("0")]
    [TestCase("abc-DEF_123")]
    [TestCase("550e8400-e29b-41d4-a716-446655440000")]
    [TestCase("-_-")]
    public void IsValid_AllowedCharacters_ReturnsTrue(string id)
    {
        Assert.That(SessionId.IsValid(id), Is.True);
    }

    [Test]
    public void IsValid_LongestAllowed_ReturnsTrue_AndOneMoreReturnsFalse()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SessionId.IsValid(new string('a', SessionId.MaxLength)), Is.True);
            Assert.That(SessionId.IsValid(new string('a', SessionId.MaxLength + 1)), Is.False);
            Assert.That(SessionId.MaxLength, Is.EqualTo(128));
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase(" ")]
    [TestCase("a b")]
    [TestCase("a:b")]
    [TestCase("a/b")]
    [TestCase("../x")]
    [TestCase("{x}")]
    [TestCase("a*")]
    [TestCase("é")]
    [TestCase("a\n")]
    [TestCase("ａ")]
    [TestCase("a\0")]
    public void IsValid_NotAllowed_ReturnsFalse(string? id)
    {
        Assert.That(SessionId.IsValid(id), Is.False);
    }

    [Test]
    public void ThrowIfInvalid_Null_ThrowsArgumentNullExceptionNamingTheArgument()
    {
        string? mySession = null;

        Assert.That(() => SessionId.ThrowIfInvalid(mySession),
            Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("mySession"));
    }

    [TestCase("")]
    [TestCase("   ")]
    public void ThrowIfInvalid_EmptyOrWhitespace_ThrowsArgumentExceptionNamingTheArgument(string id)
    {
        Assert.That(() => SessionId.ThrowIfInvalid(id, "sessionId"),
            Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("sessionId"));
    }

    [TestCase("has space")]
    [TestCase("a:b")]
    public void ThrowIfInvalid_BadCharacter_ThrowsArgumentExceptionThatExplainsTheRule(string id)
    {
        var ex = Assert.Throws<ArgumentException>(() => SessionId.ThrowIfInvalid(id, "sessionId"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("sessionId"));
            Assert.That(ex.Message, Does.Contain("1 to 128 characters"));
        });
    }

    [Test]
    public void ThrowIfInvalid_TooLong_ThrowsArgumentException()
    {
        Assert.That(() => SessionId.ThrowIfInvalid(new string('x', 129), "id"),
            Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("id"));
    }

    [Test]
    public void ThrowIfInvalid_ValidId_DoesNotThrow()
    {
        Assert.That(() => SessionId.ThrowIfInvalid("session_1-A"), Throws.Nothing);
    }
}
