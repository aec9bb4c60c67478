using System.Text.Json.Nodes;

namespace Dexter.Sessions.Tests.Accountability;

[TestFixture]
public sealed class SessionExportTitleTests
{
    [Test]
    public async Task ExportThenImport_CarriesTheTitleAndWhoWroteIt()
    {
        using var source = new InMemorySessionStore();
        using var target = new InMemorySessionStore();
        await source.CreateAsync("s1", "alice");
        await source.SetAsync("s1", new MessageHistory(SessionExportTests.SampleTurns()));
        await source.SetTitleAsync("s1", "Crypto prices");

        var export = await source.ExportSessionAsync("s1");
        var json = JsonNode.Parse(export!.ToUtf8Json())!;
        await target.ImportSessionAsync(SessionExport.Parse(export.ToUtf8Json()));
        var imported = await target.GetMetadataAsync("s1");

        Assert.Multiple(async () =>
        {
            Assert.That((string?)json["metadata"]!["title"], Is.EqualTo("Crypto prices"));
            Assert.That((string?)json["metadata"]!["title_source"], Is.EqualTo("owner"));
            Assert.That(imported!.Title, Is.EqualTo("Crypto prices"));
            Assert.That(imported.TitleSource, Is.EqualTo(SessionTitleSource.Owner));
            Assert.That(await target.SetTitleAsync("s1", "A model's", SessionTitleSource.Model), Is.False, "the owner's title stays the owner's");
        });
    }

    [Test]
    public async Task ExportThenImport_QuestionTitle_StaysReplaceableByTheModel_AndNoTitleStaysNone()
    {
        using var source = new InMemorySessionStore();
        using var target = new InMemorySessionStore();
        await source.CreateAsync("titled", "alice");
        await source.SetTitleAsync("titled", "What is BTC?", SessionTitleSource.Question);
        await source.CreateAsync("untitled", "alice");

        await target.ImportSessionAsync(SessionExport.Parse((await source.ExportSessionAsync("titled"))!.ToUtf8Json()));
        await target.ImportSessionAsync(SessionExport.Parse((await source.ExportSessionAsync("untitled"))!.ToUtf8Json()));

        Assert.Multiple(async () =>
        {
            Assert.That((await target.GetMetadataAsync("titled"))!.TitleSource, Is.EqualTo(SessionTitleSource.Question));
            Assert.That(await target.SetTitleAsync("titled", "Bitcoin", SessionTitleSource.Model), Is.True);
            Assert.That((await target.GetMetadataAsync("untitled"))!.Title, Is.Null);
        });
    }
}
