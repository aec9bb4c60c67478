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
        new() { Id = 2, Query = "And ETH?", Answer = "About 3,0", CreatedAt = new DateTimeOffset(2026, 11, 24, 12, 1, 0, TimeSpan.Zero), SelectorFellBack = true, Interrupted = true },
    ];

    internal static SessionSummary SampleRollingSummary() =>
        new("Prices of BTC and ETH were asked.", 2, new DateTimeOffset(2026, 11, 24, 12, 2, 0, 7, TimeSpan.FromHours(-5)).AddTicks(89));

    [Test]
    public async Task ExportSessionAsync_ThenImport_IntoAnotherStore_KeepsEveryTurnTheOwnerAndTheRollingSummary()
    {
        using var source = new InMemorySessionStore();
        using var target = new InMemorySessionStore();
        await source.CreateAsync("s1", "alice");
        await source.SetAsync("s1", new MessageHistory(SampleTurns()));
        await source.TrySetSummaryAsync("s1", SampleRollingSummary(), 0);

        var export = await source.ExportSessionAsync("s1");
        var parsed = SessionExport.Parse(export!.ToUtf8Json());
        await target.ImportSessionAsync(parsed);

        Assert.Multiple(async () =>
        {
            Assert.That((await target.GetAsync("s1"))!.GetAll(), Is.EqualTo(SampleTurns()));
            Assert.That((await target.GetMetadataAsync("s1"))!.Owner, Is.EqualTo("alice"));
            Assert.That(parsed.Metadata.TurnCount, Is.EqualTo(2));
            Assert.That(parsed.RollingSummary, Is.EqualTo(SampleRollingSummary()));
            Assert.That(parsed.RollingSummary!.UpdatedAt.Offset, Is.EqualTo(TimeSpan.FromHours(-5)), "the time keeps its offset");
            Assert.That(await target.GetSummaryAsync("s1"), Is.EqualTo(SampleRollingSummary()));
            Assert.That(await target.TrySetSummaryAsync("s1", SampleRollingSummary() with { ThroughTurnId = 3 }, 2), Is.True, "the compare-and-set goes on from it");
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
            RollingSummary = SampleRollingSummary(),
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
            Assert.That(json["turns"]![0]!["interrupted"], Is.Null, "a whole answer carries no mark");
            Assert.That((bool?)json["turns"]![1]!["interrupted"], Is.True, "a stopped answer carries its mark");
            Assert.That(back.Turns[1].Interrupted, Is.True);
            Assert.That((string?)json["rolling_summary"]!["text"], Is.EqualTo("Prices of BTC and ETH were asked."));
            Assert.That((int?)json["rolling_summary"]!["through_turn_id"], Is.EqualTo(2));
            Assert.That((string?)json["rolling_summary"]!["updated_at"], Does.StartWith("2026-11-24T12:02:00.0070089-05:00"));
            Assert.That(back.RollingSummary, Is.EqualTo(SampleRollingSummary()));
            Assert.That(back.Extensions["app"].GetProperty("x").GetInt32(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ImportSessionAsync_OfAForkIntoAStoreThatCannotRecordItsOrigin_ImportsTheTurnsWithoutIt()
    {
        using var source = new InMemorySessionStore();
        await source.CreateAsync("s1", "alice");
        await source.SetAsync("s1", new MessageHistory(SampleTurns()));
        await source.ForkAsync("s1", 2, "f1");
        var export = await source.ExportSessionAsync("f1");
        using var target = new WithoutForkOrigin();

        await target.ImportSessionAsync(export!);

        Assert.Multiple(async () =>
        {
            Assert.That(export!.Metadata.ForkedFromSessionId, Is.EqualTo("s1"));
            Assert.That((await target.GetAsync("f1"))!.GetAll(), Is.EqualTo(SampleTurns()));
            Assert.That((await target.GetMetadataAsync("f1"))!.ForkedFromSessionId, Is.Null);
        });
    }

    /// <summary>A store of one's own that does not implement <see cref="ISessionStore.SetForkOriginAsync"/>, as the interface's default does.</summary>
    private sealed class WithoutForkOrigin() : DelegatingSessionStore(new InMemorySessionStore(), disposeInner: true)
    {
        public override Task<bool> SetForkOriginAsync(string sessionId, string forkedFromSessionId, int forkedFromTurnId, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("This store does not implement SetForkOriginAsync.");
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
    public async Task ExportSessionAsync_NoRollingSummary_LeavesItOut_AndImportSetsNone()
    {
        using var source = new InMemorySessionStore();
        using var target = new InMemorySessionStore();
        await source.SetAsync("s1", new MessageHistory(SampleTurns()));

        var json = (await source.ExportSessionAsync("s1"))!.ToUtf8Json();
        await target.ImportSessionAsync(SessionExport.Parse(json));

        Assert.Multiple(async () =>
        {
            Assert.That(JsonNode.Parse(json)!.AsObject().ContainsKey("rolling_summary"), Is.False);
            Assert.That(await target.GetSummaryAsync("s1"), Is.Null);
        });
    }

    [Test]
    public void Parse_RollingSummaryWithoutTextOrThroughTurnId_Throws()
    {
        Assert.Multiple(() =>
        {
            Assert.That(
                () => SessionExport.Parse("{\"format\":\"dexter.sessions.export\",\"version\":1,\"session_id\":\"s1\",\"metadata\":{},\"rolling_summary\":{\"through_turn_id\":1}}"u8),
                Throws.InstanceOf<FormatException>().With.Message.Contains("rolling_summary"));
            Assert.That(
                () => SessionExport.Parse("{\"format\":\"dexter.sessions.export\",\"version\":1,\"session_id\":\"s1\",\"metadata\":{},\"rolling_summary\":{\"text\":\"t\"}}"u8),
                Throws.InstanceOf<FormatException>().With.Message.Contains("through_turn_id"));
        });
    }

    [Test]
    public async Task ExportSessionAsync_UnknownSession_ReturnsNull()
    {
        using var store = new InMemorySessionStore();
        Assert.That(await store.ExportSessionAsync(SessionId.New()), Is.Null);
    }
}
