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

    private static Message SealedTurn(byte[] sealedContent) => new()
    {
        Query = string.Empty,
        Answer = string.Empty,
        CreatedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
        InputTokenCount = 12,
        SealedContent = sealedContent,
    };

    [Test]
    public void Serialize_SealedTurn_WritesTheBlobAsBase64UrlInItsOwnField_AndReadsItBack()
    {
        // Every byte value, so that base64 would need '+', '/' and '=' here.
        var blob = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(new byte[] { 0xFB, 0xFF }).ToArray();

        var bytes = TurnRecordSerializer.Serialize(SealedTurn(blob), id: 4);
        var record = Encoding.UTF8.GetString(bytes);
        var read = TurnRecordSerializer.TryDeserialize(bytes, out var turn, out var problem);
        var sealedValue = record[(record.IndexOf("\"sealed\":\"", StringComparison.Ordinal) + 10)..];
        sealedValue = sealedValue[..sealedValue.IndexOf('"', StringComparison.Ordinal)];

        Assert.Multiple(() =>
        {
            Assert.That(record, Does.StartWith($"{{\"id\":4,\"v\":{TurnRecordSerializer.CurrentVersion},"));
            Assert.That(record, Does.Not.Contain("\"query\"").And.Not.Contain("\"answer\"").And.Contain("\"inputTokens\":12"));
            Assert.That(sealedValue, Does.Match("^[A-Za-z0-9_-]+$"), "no character that JSON would escape, no padding");
            Assert.That(read, Is.True, problem);
            Assert.That(turn!.SealedContent.ToArray(), Is.EqualTo(blob));
            Assert.That((turn.Id, turn.Query, turn.Answer, turn.InputTokenCount), Is.EqualTo((4, string.Empty, string.Empty, (long?)12)));
        });
    }

    [Test]
    public void TryDeserialize_SealedTurn_AnyCharacterOfTheBlobDamaged_IsRefusedOrDiffers()
    {
        var blob = Enumerable.Range(0, 50).Select(i => (byte)(i * 7)).ToArray();
        var record = Encoding.UTF8.GetString(TurnRecordSerializer.Serialize(SealedTurn(blob), id: 1));
        var start = record.IndexOf("\"sealed\":\"", StringComparison.Ordinal) + 10;
        var length = record.IndexOf('"', start) - start;

        for (var at = start; at < start + length; at++)
        {
            var damaged = record[..at] + (record[at] == 'A' ? 'B' : 'A') + record[(at + 1)..];
            var read = TurnRecordSerializer.TryDeserialize(Encoding.UTF8.GetBytes(damaged), out var turn, out _);

            Assert.That(!read || !turn!.SealedContent.Span.SequenceEqual(blob), Is.True, $"character {at - start} of the blob damaged went unnoticed");
        }
    }

    [TestCase("\"sealed\":\"ab+c\"", "its sealed content is not base64url")]
    [TestCase("\"sealed\":\"abc=\"", "its sealed content is not base64url")]
    [TestCase("\"sealed\":\"abcde\"", "its sealed content is not base64url")]
    [TestCase("\"sealed\":\"abcd\",\"query\":\"q\"", "it has sealed content beside content in clear")]
    public void TryDeserialize_BadSealedContent_IsRefused(string field, string expected)
    {
        var record = $"{{\"id\":1,\"v\":{TurnRecordSerializer.CurrentVersion},\"createdAt\":\"2026-12-01T00:00:00+00:00\",{field}}}";

        var read = TurnRecordSerializer.TryDeserialize(Encoding.UTF8.GetBytes(record), out _, out var problem);

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.False);
            Assert.That(problem, Does.StartWith(expected));
        });
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
            .Replace($"\"v\":{TurnRecordSerializer.CurrentVersion}", "\"v\":9,\"later\":true", StringComparison.Ordinal);

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
