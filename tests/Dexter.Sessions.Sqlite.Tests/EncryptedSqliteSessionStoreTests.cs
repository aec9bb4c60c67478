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
            Assert.That(bytes, Does.Contain("\"sealed\":\""));
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

    /// <summary>Writes a turn's row directly, as another program would: its record (as text) and its embedding.</summary>
    private async Task WriteRowAsync(string sessionId, int turnId, byte[] record, byte[]? embedding)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database.Path, Pooling = false }.ToString());
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE dexter_turns SET record = $record, embedding = $embedding WHERE session_id = $id AND turn_id = $turnId";
        command.Parameters.AddWithValue("$record", Encoding.UTF8.GetString(record));
        command.Parameters.AddWithValue("$embedding", (object?)embedding ?? DBNull.Value);
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$turnId", turnId);
        Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1));
    }

    private async Task<(byte[] Record, byte[]? Embedding)> ReadRowAsync(string sessionId, int turnId)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database.Path, Pooling = false }.ToString());
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT record, embedding FROM dexter_turns WHERE session_id = $id AND turn_id = $turnId";
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$turnId", turnId);
        using var reader = await command.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True);
        return (reader.GetFieldValue<byte[]>(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1));
    }

    [Test]
    public async Task GetAsync_AByteDamagedAnywhereInTheStoredRecord_ThrowsNamingSessionAndTurn()
    {
        await using var provider = Provider(encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn());
        await store.AppendAsync(id, SecretTurn());
        var (record, _) = await ReadRowAsync(id, 2);

        await EncryptionAtRestSecrets.AssertEveryDamagedByteIsRefusedAsync(record, 2, id, Marker,
            damaged => WriteRowAsync(id, 2, damaged, embedding: null), () => store.GetRecentAsync(id, 5));
    }

    [Test]
    public async Task GetAsync_RecordInClearDamagedInItsStructure_ThrowsNamingSessionAndTurn()
    {
        await using var provider = Provider(encrypt: false, encryptionFirst: false);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn());
        var (record, embedding) = await ReadRowAsync(id, 1);

        await StoredRecordDamage.AssertEveryDamagedStructuralByteIsRefusedAsync(record, 1, id,
            damaged => WriteRowAsync(id, 1, damaged, embedding), () => store.GetAsync(id));
    }

    [Test]
    public async Task StoredRecord_HoldsTheContentAsOneBase64UrlBlob_AndNoVectorInClear()
    {
        await using var provider = Provider(encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn());
        var (record, embedding) = await ReadRowAsync(id, 1);

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(record), Does.Match($"^\\{{\"id\":1,\"v\":{TurnRecordSerializer.CurrentVersion},\"createdAt\":\"[^\"]+\",\"sealed\":\"[A-Za-z0-9_-]+\"\\}}$"));
            Assert.That(embedding, Is.Null, "the vector is sealed with the content");
        });
    }

    [Test]
    public async Task GetAsync_RowsWrittenByEarlierVersions_ReadBack_AndAreSealedWhenUpdated()
    {
        await using var provider = Provider(encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        var stored = EarlierEncryptionFormat.StoredTurns(provider.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(), id, Marker);
        for (var i = 0; i < stored.Length; i++)
        {
            // As earlier versions wrote them: the record without the vector, the vector (packed, when encrypted) in its column.
            await store.AppendAsync(id, new Message { Query = "placeholder", Answer = "placeholder" });
            await WriteRowAsync(id, i + 1, EarlierEncryptionFormat.Record(stored[i] with { Embedding = default }, i + 1), TurnRecordSerializer.EncodeEmbedding(stored[i].Embedding.Span));
        }

        var earlierRecord = Encoding.UTF8.GetString((await ReadRowAsync(id, 1)).Record);
        var read = (await store.GetAsync(id))!.GetAll();
        await store.UpdateTurnSummaryAsync(id, 1, Marker + " new summary");
        var resealed = await ReadRowAsync(id, 1);

        Assert.Multiple(async () =>
        {
            Assert.That(earlierRecord, Does.StartWith("{\"id\":1,\"v\":2,\"query\":\"" + EncryptingSessionStore.CiphertextPrefix), "written as earlier versions did");
            Assert.That(read, Is.EqualTo(EarlierEncryptionFormat.ExpectedTurns(Marker)));
            Assert.That(Encoding.UTF8.GetString(resealed.Record), Does.Contain("\"sealed\":\"").And.Not.Contain(Marker).And.Not.Contain(EncryptingSessionStore.CiphertextPrefix));
            Assert.That(resealed.Embedding, Is.Null, "the vector moved into the sealed content");
            Assert.That((await store.GetRecentAsync(id, 3))[0], Is.EqualTo(EarlierEncryptionFormat.ExpectedTurns(Marker)[0] with { Summary = Marker + " new summary" }));
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
