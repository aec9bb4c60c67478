using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary>
/// What every store's encryption-at-rest tests write and read back: a turn with a marker in every field that holds content
/// (query, answer, summary, tool call and result, embedding), an owner, a summary written after its turn, and a rolling summary.
/// Each store's tests then look for the marker in what the store keeps (Redis keys, SQLite file bytes, PostgreSQL rows).
/// </summary>
public static class EncryptionAtRestSecrets
{
    /// <summary>The encryption settings of the encrypted store contract fixtures: an owner lookup key, so that sessions are listed per owner.</summary>
    public static EncryptionAtRestOptions ContractOptions() => new() { OwnerLookupKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)] };

    /// <summary>A turn whose every content field holds <paramref name="marker"/>.</summary>
    public static Message Turn(string marker) => new()
    {
        Query = marker + " query",
        Answer = marker + " answer",
        Summary = marker + " summary",
        CreatedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        Embedding = new[] { 0.5f, -0.25f, 0.125f },
        ChatMessages =
        [
            new ChatMessage(ChatRole.User, marker + " query"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["q"] = marker })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", marker + " result")]),
            new ChatMessage(ChatRole.Assistant, marker + " answer"),
        ],
    };

    /// <summary>The rolling summary written for the session, holding <paramref name="marker"/>.</summary>
    public static SessionSummary RollingSummary(string marker) =>
        new(marker + " rolling summary", 2, new DateTimeOffset(2026, 11, 25, 13, 0, 0, TimeSpan.FromHours(1)));

    /// <summary>
    /// A service provider with ephemeral Data Protection keys and the store <paramref name="useStore"/> registers, encrypted at rest
    /// when <paramref name="encrypt"/> (the decorator registered before or after the store, as <paramref name="encryptionFirst"/> says).
    /// </summary>
    public static ServiceProvider Provider(Action<IDexterSessionsBuilder> useStore, bool encrypt, bool encryptionFirst)
    {
        ArgumentNullException.ThrowIfNull(useStore);
        var services = new ServiceCollection();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        var sessions = services.AddDexterSessions();
        if (encrypt && encryptionFirst)
        {
            sessions.UseEncryptionAtRest();
        }

        useStore(sessions);
        if (encrypt && !encryptionFirst)
        {
            sessions.UseEncryptionAtRest();
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Writes everything that holds content: the owner, turn 1 (and its embedding), turn 2 with a late summary, the rolling summary.</summary>
    public static async Task WriteAsync(ISessionStore store, string sessionId, string marker, string ownerMarker)
    {
        ArgumentNullException.ThrowIfNull(store);
        await store.CreateAsync(sessionId, ownerMarker);
        await store.AppendAsync(sessionId, Turn(marker));
        await store.UpdateEmbeddingsAsync(sessionId, [Turn(marker) with { Id = 1, Embedding = new[] { 1f, 2f, 3f } }]);
        await WriteSummariesAsync(store, sessionId, marker);
    }

    /// <summary>A second turn whose summary is written after it was recorded, and the session's rolling summary.</summary>
    public static async Task WriteSummariesAsync(ISessionStore store, string sessionId, string marker)
    {
        ArgumentNullException.ThrowIfNull(store);
        await store.AppendAsync(sessionId, Turn(marker) with { Summary = "pending" });
        Assert.That(await store.UpdateTurnSummaryAsync(sessionId, 2, marker + " late summary"), Is.True);
        Assert.That(await store.TrySetSummaryAsync(sessionId, RollingSummary(marker), expectedThroughTurnId: 0), Is.True);
    }

    /// <summary>Asserts that the two turns (with the late summary) and the rolling summary read back as written.</summary>
    public static async Task AssertSummariesReadBackAsync(ISessionStore store, string sessionId, string marker)
    {
        ArgumentNullException.ThrowIfNull(store);
        var turns = await store.GetRecentAsync(sessionId, 10);
        Assert.That(turns[0], Is.EqualTo(Turn(marker) with { Id = 1, Embedding = new[] { 1f, 2f, 3f } }));
        Assert.That(turns[1], Is.EqualTo(Turn(marker) with { Id = 2, Summary = marker + " late summary" }));
        Assert.That(await store.GetSummaryAsync(sessionId), Is.EqualTo(RollingSummary(marker)));
    }

    /// <summary>
    /// Damages a stored record at a fixed, seeded set of positions across all of it (its first and last byte, the byte after
    /// its id, its middle and 48 more), one position at a time, and checks that every read fails with the error that names
    /// the session and the turn ("Turn N of session … cannot be decrypted/read"), then puts the record back.
    /// </summary>
    /// <param name="record">The record as stored.</param>
    /// <param name="turnId">Its turn id.</param>
    /// <param name="sessionId">Its session.</param>
    /// <param name="marker">Text of the turn that must never appear in an error.</param>
    /// <param name="writeAsync">Writes a (damaged or original) record in place of the stored one.</param>
    /// <param name="readAsync">Reads the session through the store.</param>
    /// <returns>A task that completes once every position was checked.</returns>
    public static async Task AssertEveryDamagedByteIsRefusedAsync(
        byte[] record, int turnId, string sessionId, string marker, Func<byte[], Task> writeAsync, Func<Task> readAsync)
    {
        var idPrefix = System.Text.Encoding.UTF8.GetByteCount($"{{\"id\":{turnId},");
        var random = new Random(18);
        var positions = new SortedSet<int> { 0, idPrefix, record.Length / 2, record.Length - 1 };
        while (positions.Count < 52)
        {
            positions.Add(random.Next(record.Length));
        }

        foreach (var at in positions)
        {
            var damaged = (byte[])record.Clone();
            damaged[at] = damaged[at] == (byte)'A' ? (byte)'B' : (byte)'A';
            await writeAsync(damaged);
            var start = Math.Max(0, at - 40);
            var around = System.Text.Encoding.UTF8.GetString(record, start, Math.Min(80, record.Length - start));

            var e = Assert.ThrowsAsync<SessionStoreException>(() => readAsync(), $"byte {at} of {record.Length} damaged, in: {around}");
            Assert.Multiple(() =>
            {
                Assert.That(e!.SessionId, Is.EqualTo(sessionId), $"byte {at}");
                Assert.That(e.Message, at < idPrefix
                    ? Does.Match($"(Turn {turnId}|A turn) of session '{sessionId}' .*cannot be (decrypted|read)")
                    : Does.Match($"Turn {turnId} of session '{sessionId}' .*cannot be (decrypted|read)"), $"byte {at}");
                Assert.That(e.Message, Does.Not.Contain(marker), "no content in the error");
            });
        }

        await writeAsync(record);
        Assert.That(readAsync, Throws.Nothing, "the undamaged record reads again");
    }
}
