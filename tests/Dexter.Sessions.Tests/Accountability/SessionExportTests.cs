using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Accountability;

[TestFixture]
public sealed class SessionExportTests
{
    internal static Message[] SampleTurns() =>
    [
        new()
        {
            Id = 1,
            Query = "What is the price of BTC?",
            Answer = "About 90,000 USD.",
            Summary = "BTC price asked.",
            CreatedAt = new DateTimeOffset(2026, 11, 24, 12, 0, 0, 123, TimeSpan.FromHours(2)).AddTicks(4567),
            InputTokenCount = 120,
            OutputTokenCount = 30,
            ResponseTime = TimeSpan.FromTicks(12_345_678),
            SummarizerFellBack = true,
            Embedding = new float[] { 0.1f, -2.5f, float.Epsilon },
            ChatMessages =
            [
                new ChatMessage(ChatRole.User, "What is the price of BTC?"),
                new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "price", new Dictionary<string, object?> { ["symbol"] = "BTC" })]),
                new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", "90000")]),
                new ChatMessage(ChatRole.Assistant, "About 90,000 USD."),
            ],
        },
        new() { Id = 2, Query = "And ETH?", Answer = "About 3,000 USD.", CreatedAt = new DateTimeOffset(2026, 11, 24, 12, 1, 0, TimeSpan.Zero), SelectorFellBack = true },
    ];

    [Test]
    public async Task ExportSessionAsync_ThenImport_IntoAnotherStore_KeepsEveryTurnAndTheOwner()
    {
        using var source = new InMemorySessionStore();
        using var target = new InMemorySessionStore();
        await source.CreateAsync("s1", "alice");
        await source.SetAsync("s1", new MessageHistory(SampleTurns()));

        var export = await source.ExportSessionAsync("s1");
        var parsed = SessionExport.Parse(export!.ToUtf8Json());
        await target.ImportSessionAsync(parsed);

        Assert.Multiple(async () =>
        {
            Assert.That((await target.GetAsync("s1"))!.GetAll(), Is.EqualTo(SampleTurns()));
            Assert.That((await target.GetMetadataAsync("s1"))!.Owner, Is.EqualTo("alice"));
            Assert.That(parsed.Metadata.TurnCount, Is.EqualTo(2));
            Assert.That((await target.AppendAsync("s1", new Message { Query = "q", Answer = "a" })).Id, Is.EqualTo(3), "ids go on after the imported ones");
        });
    }

    [Test]
    public async Task ToUtf8Json_Document_IsVersionedSnakeCase_WithTheRollingSummaryAndExtensions()
    {
        using var store = new InMemorySessionStore();
        await store.CreateAsync("s1", "alice");
        await store.SetAsync("s1", new MessageHistory(SampleTurns()));
        var export = await store.ExportSessionAsync("s1");
        var withExtras = new SessionExport
        {
            SessionId = export!.SessionId,
            Metadata = export.Metadata,
            Turns = export.Turns,
            RollingSummary = "Prices of BTC and ETH.",
            Extensions = new Dictionary<string, System.Text.Json.JsonElement> { ["app"] = System.Text.Json.JsonDocument.Parse("{\"x\":1}").RootElement },
        };

        var json = JsonNode.Parse(withExtras.ToUtf8Json())!;
        var back = SessionExport.Parse(withExtras.ToUtf8Json());

        Assert.Multiple(() =>
        {
            Assert.That((string?)json["format"], Is.EqualTo("dexter.sessions.export"));
            Assert.That((int?)json["version"], Is.EqualTo(1));
            Assert.That((string?)json["metadata"]!["owner"], Is.EqualTo("alice"));
            Assert.That((string?)json["turns"]![0]!["query"], Is.EqualTo("What is the price of BTC?"));
            Assert.That(json["turns"]![0]!["messages"]!.AsArray(), Has.Count.EqualTo(4));
            Assert.That(back.RollingSummary, Is.EqualTo("Prices of BTC and ETH."));
            Assert.That(back.Extensions["app"].GetProperty("x").GetInt32(), Is.EqualTo(1));
        });
    }

    [Test]
    public void Parse_NewerVersionOrAnotherDocument_ThrowsNamingTheFix()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => SessionExport.Parse("{\"format\":\"dexter.sessions.export\",\"version\":2,\"session_id\":\"s1\",\"metadata\":{}}"u8),
                Throws.InstanceOf<FormatException>().With.Message.Contains("Upgrade the package"));
            Assert.That(() => SessionExport.Parse("{\"hello\":1}"u8), Throws.InstanceOf<FormatException>().With.Message.Contains("\"format\""));
            Assert.That(() => SessionExport.Parse("not json"u8), Throws.InstanceOf<FormatException>());
        });
    }

    [Test]
    public async Task ImportSessionAsync_SessionExists_ThrowsAndLeavesItAlone()
    {
        using var store = new InMemorySessionStore();
        await store.CreateAsync("s1", "alice");
        await store.SetAsync("s1", new MessageHistory(SampleTurns()));
        var export = await store.ExportSessionAsync("s1");

        Assert.Multiple(async () =>
        {
            Assert.That(() => store.ImportSessionAsync(export!), Throws.InvalidOperationException.With.Message.Contains("already exists"));
            Assert.That((await store.GetAsync("s1"))!.Count, Is.EqualTo(2));
            Assert.That(await store.ImportSessionAsync(export!, "s2"), Is.EqualTo("s2"));
            Assert.That((await store.GetAsync("s2"))!.GetAll(), Is.EqualTo(SampleTurns()));
        });
    }

    [Test]
    public async Task ExportSessionAsync_UnknownSession_ReturnsNull()
    {
        using var store = new InMemorySessionStore();
        Assert.That(await store.ExportSessionAsync(SessionId.New()), Is.Null);
    }
}
