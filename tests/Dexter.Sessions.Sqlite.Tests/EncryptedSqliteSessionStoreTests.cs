using Dexter.Sessions.Testing;
using System.Text;
using Microsoft.Data.Sqlite;
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

    private static Message SecretTurn() => EncryptionAtRestSecrets.Turn(Marker);

    private ServiceProvider Provider(bool encrypt, bool encryptionFirst) =>
        EncryptionAtRestSecrets.Provider(sessions => sessions.UseSqlite(o => o.Path = _database.Path), encrypt, encryptionFirst);

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

    private static Task WriteSecretsAsync(ISessionStore store, string id) => EncryptionAtRestSecrets.WriteAsync(store, id, Marker, OwnerMarker);

    private static Task WriteSummariesAsync(ISessionStore store, string id) => EncryptionAtRestSecrets.WriteSummariesAsync(store, id, Marker);

    private static Task AssertSummariesReadBackAsync(ISessionStore store, string id) => EncryptionAtRestSecrets.AssertSummariesReadBackAsync(store, id, Marker);

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
