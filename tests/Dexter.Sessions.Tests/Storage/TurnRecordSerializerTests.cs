using System.Text;

namespace Dexter.Sessions.Tests.Storage;

public sealed class TurnRecordSerializerTests
{
    private static Message Turn(string query) => new() { Query = query, Answer = "answer", CreatedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero) };

    [Test]
    public void Serialize_Base64AndNonAsciiText_AreWrittenWithoutJsonEscapes()
    {
        var record = Encoding.UTF8.GetString(TurnRecordSerializer.Serialize(Turn("dxenc:1:ab+/cd== café <b>"), id: 3));

        Assert.That(record, Does.Contain("ab+/cd== café <b>").And.Not.Contain("\\u"));
    }

    [Test]
    public void TryDeserialize_UnknownProperty_IsRefusedNotReadWithoutIt()
    {
        var record = Encoding.UTF8.GetString(TurnRecordSerializer.Serialize(Turn("q"), id: 1)).Replace("\"query\"", "\"querA\"", StringComparison.Ordinal);

        var read = TurnRecordSerializer.TryDeserialize(Encoding.UTF8.GetBytes(record), out _, out var problem);

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.False);
            Assert.That(problem, Does.StartWith("it is not valid JSON"));
        });
    }

    [Test]
    public void TryDeserialize_NewerVersionWithANewProperty_SaysToUpgrade()
    {
        var record = Encoding.UTF8.GetString(TurnRecordSerializer.Serialize(Turn("q"), id: 1))
            .Replace("\"v\":2", "\"v\":9,\"later\":true", StringComparison.Ordinal);

        TurnRecordSerializer.TryDeserialize(Encoding.UTF8.GetBytes(record), out _, out var problem);

        Assert.That(problem, Does.Contain("format version 9").And.Contain("upgrade the package"));
    }

    [TestCase("{\"id\":12,\"v\":2}", true, 12)]
    [TestCase("{\"id\":12A\"v\":2}", false, 0)]
    [TestCase("{\"iA\":12,\"v\":2}", false, 0)]
    [TestCase("{\"v\":2}", false, 0)]
    [TestCase("{\"id\":0,\"v\":2}", false, 0)]
    public void TryReadId_ReadsTheLeadingIdOnlyWhenItIsIntact(string record, bool expected, int id)
    {
        var read = TurnRecordSerializer.TryReadId(Encoding.UTF8.GetBytes(record), out var value);

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.EqualTo(expected));
            Assert.That(value, Is.EqualTo(id));
        });
    }

    [Test]
    public void UnreadableRecordException_NamesTheTurnTheSessionAndWhereItIsKept()
    {
        var e = TurnRecordSerializer.UnreadableRecordException("{\"id\":7,\"v\":2,\"qu"u8, "s1", "in Redis at 127.0.0.1:6379", "is not valid JSON");
        var noId = TurnRecordSerializer.UnreadableRecordException("{\"iA\":7"u8, "s1", "in Redis at 127.0.0.1:6379", "is not valid JSON");

        Assert.Multiple(() =>
        {
            Assert.That(e.SessionId, Is.EqualTo("s1"));
            Assert.That(e.Message, Does.StartWith("Turn 7 of session 's1' in Redis at 127.0.0.1:6379 cannot be read: its record is not valid JSON."));
            Assert.That(e.Message, Does.Contain("delete this session (DeleteAsync)"));
            Assert.That(noId.Message, Does.StartWith("A turn of session 's1' in Redis"));
        });
    }
}
