using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.Sqlite.Tests;

/// <summary>Encryption at rest over SQLite: the bytes of the database files.</summary>
[TestFixture]
public sealed class EncryptedSqliteSessionStoreTests
{
    private const string Marker = "MARKER-b4c2-sqlite-secret";
    private const string OwnerMarker = "OWNER-b4c2@example.com";

    private TemporaryDatabase _database = null!;

    [SetUp]
    public void CreateDatabase() => _database = new TemporaryDatabase();

    [TearDown]
    public void DeleteDatabase() => _database.Dispose();

    private static Message SecretTurn() => new()
    {
        Query = Marker + " query",
        Answer = Marker + " answer",
        Summary = Marker + " summary",
        CreatedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        Embedding = new[] { 0.5f, -0.25f, 0.125f },
        ChatMessages =
        [
            new ChatMessage(ChatRole.User, Marker + " query"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup", new Dictionary<string, object?> { ["q"] = Marker })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", Marker + " result")]),
            new ChatMessage(ChatRole.Assistant, Marker + " answer"),
        ],
    };

    private ServiceProvider Provider(bool encrypt, bool encryptionFirst)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        var sessions = services.AddDexterSessions();
        if (encrypt && encryptionFirst)
        {
            sessions.UseEncryptionAtRest();
        }

        sessions.UseSqlite(o => o.Path = _database.Path);
        if (encrypt && !encryptionFirst)
        {
            sessions.UseEncryptionAtRest();
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Every byte SQLite wrote (the database, its write-ahead log), as UTF-8 text.</summary>
    private string FileBytes()
    {
        SqliteConnection.ClearAllPools();
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles(_database.Directory))
        {
            text.Append(Encoding.UTF8.GetString(File.ReadAllBytes(file)));
        }

        return text.ToString();
    }

    private static async Task WriteSecretsAsync(ISessionStore store, string id)
    {
        await store.CreateAsync(id, OwnerMarker);
        await store.AppendAsync(id, SecretTurn());
        await store.UpdateEmbeddingsAsync(id, [SecretTurn() with { Id = 1, Embedding = new[] { 1f, 2f, 3f } }]);
        await WriteSummariesAsync(store, id);
    }

    private static readonly SessionSummary SecretSummary = new(Marker + " rolling summary", 2, new DateTimeOffset(2026, 11, 25, 13, 0, 0, TimeSpan.FromHours(1)));

    /// <summary>A second turn whose summary is written after it was recorded, and the session's rolling summary.</summary>
    private static async Task WriteSummariesAsync(ISessionStore store, string id)
    {
        await store.AppendAsync(id, SecretTurn() with { Summary = "pending" });
        Assert.That(await store.UpdateTurnSummaryAsync(id, 2, Marker + " late summary"), Is.True);
        Assert.That(await store.TrySetSummaryAsync(id, SecretSummary, expectedThroughTurnId: 0), Is.True);
    }

    private static async Task AssertSummariesReadBackAsync(ISessionStore store, string id)
    {
        var turns = await store.GetRecentAsync(id, 10);
        Assert.That(turns[0], Is.EqualTo(SecretTurn() with { Id = 1, Embedding = new[] { 1f, 2f, 3f } }));
        Assert.That(turns[1], Is.EqualTo(SecretTurn() with { Id = 2, Summary = Marker + " late summary" }));
        Assert.That(await store.GetSummaryAsync(id), Is.EqualTo(SecretSummary));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task UseEncryptionAtRest_EitherOrder_FileHoldsNoPlaintext_AndEverythingReadsBack(bool encryptionFirst)
    {
        var id = SessionId.New();
        string bytes;
        await using (var provider = Provider(encrypt: true, encryptionFirst))
        {
            var store = provider.GetRequiredService<ISessionStore>();
            await WriteSecretsAsync(store, id);

            Assert.Multiple(async () =>
            {
                Assert.That(store.GetService<SqliteSessionStore>(), Is.Not.Null);
                await AssertSummariesReadBackAsync(store, id);
                Assert.That((await store.GetAsync(id))!.GetAll()[0].Query, Is.EqualTo(Marker + " query"));
                Assert.That((await store.GetMetadataAsync(id))!.Owner, Is.EqualTo(OwnerMarker));
            });
            bytes = FileBytes();
        }

        bytes += FileBytes();
        Assert.Multiple(() =>
        {
            Assert.That(bytes, Does.Contain(EncryptingSessionStore.CiphertextPrefix));
            Assert.That(bytes, Does.Not.Contain(Marker));
            Assert.That(bytes, Does.Not.Contain(OwnerMarker));
        });
    }

    [Test]
    public async Task WithoutEncryption_FileHoldsThePlaintext()
    {
        // The check above can fail: the same writes without encryption leave the marker in the file.
        await using (var provider = Provider(encrypt: false, encryptionFirst: false))
        {
            await WriteSecretsAsync(provider.GetRequiredService<ISessionStore>(), SessionId.New());
        }

        Assert.That(FileBytes(), Does.Contain(Marker).And.Contain(OwnerMarker).And.Contain(Marker + " rolling summary").And.Contain(Marker + " late summary"));
    }

    [Test]
    public async Task GetAsync_ByteFlippedInTheStoredRecord_ThrowsNamingSessionAndTurn()
    {
        await using var provider = Provider(encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn());

        var record = (string)(await _database.ExecuteAsync("SELECT record FROM dexter_turns"))!;
        var at = record.IndexOf(EncryptingSessionStore.CiphertextPrefix, StringComparison.Ordinal) + EncryptingSessionStore.CiphertextPrefix.Length + 30;
        var flipped = record[..at] + (record[at] == 'A' ? 'B' : 'A') + record[(at + 1)..];
        await _database.ExecuteAsync($"UPDATE dexter_turns SET record = '{flipped.Replace("'", "''", StringComparison.Ordinal)}'");

        var e = Assert.ThrowsAsync<SessionStoreException>(() => store.GetRecentAsync(id, 5));

        Assert.Multiple(() =>
        {
            Assert.That(e!.SessionId, Is.EqualTo(id));
            Assert.That(e.Message, Does.Contain($"Turn 1 of session '{id}' cannot be decrypted"));
        });
    }

    [Test]
    public async Task GetAsync_RecordCopiedToAnotherSession_Throws()
    {
        await using var provider = Provider(encrypt: true, encryptionFirst: false);
        var store = provider.GetRequiredService<ISessionStore>();
        var victim = SessionId.New();
        var attacker = SessionId.New();
        await store.AppendAsync(victim, SecretTurn());
        await store.AppendAsync(attacker, new Message { Query = "mine", Answer = "mine" });

        await _database.ExecuteAsync(
            $"UPDATE dexter_turns SET record = (SELECT record FROM dexter_turns WHERE session_id = '{victim}') WHERE session_id = '{attacker}'");

        var e = Assert.ThrowsAsync<SessionStoreException>(() => store.GetAsync(attacker));

        Assert.That(e!.Message, Does.Contain($"Turn 1 of session '{attacker}' cannot be decrypted"));
    }
}
