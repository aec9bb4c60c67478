using System.Net;
using System.Text.Json.Nodes;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary><c>GET /history</c> pages with <c>limit</c> and <c>before</c>, reading only the turns it needs.</summary>
public sealed class HistoryPagingTests
{
    private static async Task<(TestApp App, CountingStore Store, string SessionId)> StartWithTurnsAsync(int turns)
    {
        var store = new CountingStore();
        var app = await TestApp.StartAsync(services: s => s.AddDexterSessionsStore(store));
        var sessionId = await app.CreateSessionAsync();
        for (var i = 1; i <= turns; i++)
        {
            await store.AppendAsync(sessionId, new Message { Query = "q" + i, Answer = "a" + i });
        }

        store.WholeReads = 0;
        return (app, store, sessionId);
    }

    private static async Task<JsonObject> PageAsync(TestApp app, string query)
    {
        using var response = await app.Client.GetAsync("/agent/history?" + query);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    private static int[] Ids(JsonObject page) => [.. page["messages"]!.AsArray().Select(m => (int)m!["id"]!)];

    [Test]
    public async Task GetHistory_FollowingNextBefore_WalksEveryTurnOnceNewestPageFirst()
    {
        var (app, store, sessionId) = await StartWithTurnsAsync(7);
        await using var _ = app;

        var first = await PageAsync(app, $"session_id={sessionId}&limit=3");
        var second = await PageAsync(app, $"session_id={sessionId}&limit=3&before={(int)first["next_before"]!}");
        var third = await PageAsync(app, $"session_id={sessionId}&limit=3&before={(int)second["next_before"]!}");

        Assert.Multiple(() =>
        {
            Assert.That(Ids(first), Is.EqualTo(new[] { 5, 6, 7 }));
            Assert.That((int)first["turns"]!, Is.EqualTo(7), "turns counts the whole session");
            Assert.That(Ids(second), Is.EqualTo(new[] { 2, 3, 4 }));
            Assert.That(Ids(third), Is.EqualTo(new[] { 1 }));
            Assert.That(third.ContainsKey("next_before"), Is.False, "no older page");
            Assert.That(store.WholeReads, Is.Zero, "pages come from GetRecentAsync, never the whole history");
        });
    }

    [Test]
    public async Task GetHistory_NoLimit_ReturnsTheLatestDefaultPage()
    {
        var (app, _, sessionId) = await StartWithTurnsAsync(DexterSessionsEndpointOptions.DefaultHistoryPageSize + 5);
        await using var __ = app;

        var page = await PageAsync(app, "session_id=" + sessionId);

        Assert.Multiple(() =>
        {
            Assert.That(Ids(page), Has.Length.EqualTo(DexterSessionsEndpointOptions.DefaultHistoryPageSize));
            Assert.That(Ids(page)[^1], Is.EqualTo(DexterSessionsEndpointOptions.DefaultHistoryPageSize + 5));
            Assert.That((int)page["next_before"]!, Is.EqualTo(6));
        });
    }

    [Test]
    public async Task GetHistory_IdsWithGaps_StillReturnsTheTurnsBeforeTheCursor()
    {
        var store = new CountingStore();
        await using var app = await TestApp.StartAsync(services: s => s.AddDexterSessionsStore(store));
        var sessionId = await app.CreateSessionAsync();
        var history = new MessageHistory(new[] { 2, 5, 9, 14 }.Select(id => new Message { Id = id, Query = "q" + id, Answer = "a" + id }));
        await store.SetAsync(sessionId, history);

        var page = await PageAsync(app, $"session_id={sessionId}&limit=2&before=14");

        Assert.Multiple(() =>
        {
            Assert.That(Ids(page), Is.EqualTo(new[] { 5, 9 }));
            Assert.That((int)page["next_before"]!, Is.EqualTo(5));
        });
    }

    [TestCase("limit=0")]
    [TestCase("limit=-1")]
    [TestCase("limit=ten")]
    [TestCase("limit=501")]
    [TestCase("before=0")]
    [TestCase("before=x")]
    public async Task GetHistory_BadPagingParameter_Returns400NamingIt(string parameter)
    {
        await using var app = await TestApp.StartAsync();
        var sessionId = await app.CreateSessionAsync();

        using var response = await app.Client.GetAsync($"/agent/history?session_id={sessionId}&{parameter}");
        var problem = await response.ReadJsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((string)problem["detail"]!, Does.Contain(parameter.Split('=')[0]));
        });
    }

    /// <summary>An in-memory store that counts reads of a whole history.</summary>
    private sealed class CountingStore : ISessionStore
    {
        private readonly InMemorySessionStore _inner = new();

        public int WholeReads { get; set; }

        public Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default)
        {
            WholeReads++;
            return _inner.GetAsync(sessionId, cancellationToken);
        }

        public Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default) => _inner.SetAsync(sessionId, history, cancellationToken);

        public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.DeleteAsync(sessionId, cancellationToken);

        public Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.ExistsAsync(sessionId, cancellationToken);

        public Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default) => _inner.CreateAsync(sessionId, owner, cancellationToken);

        public Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetMetadataAsync(sessionId, cancellationToken);

        public Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default) => _inner.AppendAsync(sessionId, message, cancellationToken);

        public Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default) => _inner.GetRecentAsync(sessionId, count, cancellationToken);

        public Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default) => _inner.UpdateEmbeddingsAsync(sessionId, messages, cancellationToken);

        public Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default) =>
            _inner.UpdateTurnSummaryAsync(sessionId, turnId, summary, cancellationToken);

        public Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetSummaryAsync(sessionId, cancellationToken);

        public Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default) =>
            _inner.TrySetSummaryAsync(sessionId, summary, expectedThroughTurnId, cancellationToken);
    }
}
