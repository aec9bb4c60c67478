using Dexter.Sessions.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.PostgreSql.Tests;

/// <summary>Encryption at rest over PostgreSQL: the rows as another client reads them.</summary>
[TestFixture]
public sealed class EncryptedPostgreSqlSessionStoreTests
{
    private const string Marker = "MARKER-93ae-postgres-secret";
    private const string OwnerMarker = "OWNER-93ae@example.com";

    private static string ConnectionString => SharedPostgreSqlServer.Server.ConnectionString;

    private static Message SecretTurn() => EncryptionAtRestSecrets.Turn(Marker);

    private static ServiceProvider Provider(string schema, bool encrypt, bool encryptionFirst) =>
        EncryptionAtRestSecrets.Provider(
            sessions => sessions.UsePostgreSql(o =>
            {
                o.ConnectionString = ConnectionString;
                o.Schema = schema;
            }),
            encrypt,
            encryptionFirst);

    /// <summary>Every row of the store's tables, as text: sessions as JSON, turn records and embeddings decoded as UTF-8.</summary>
    private static async Task<string> RawRowsAsync(string schema)
    {
        var sessions = await PostgreSqlStores.LinesAsync(ConnectionString, $"SELECT row_to_json(s)::text FROM {schema}.dexter_sessions s");
        var turns = await PostgreSqlStores.LinesAsync(
            ConnectionString,
            $"SELECT session_id || ' ' || turn_id || ' ' || convert_from(record, 'UTF8') || ' ' || coalesce(encode(embedding, 'escape'), '') FROM {schema}.dexter_turns");
        return string.Join('\n', sessions.Concat(turns));
    }

    private static Task WriteSecretsAsync(ISessionStore store, string id) => EncryptionAtRestSecrets.WriteAsync(store, id, Marker, OwnerMarker);

    private static Task WriteSummariesAsync(ISessionStore store, string id) => EncryptionAtRestSecrets.WriteSummariesAsync(store, id, Marker);

    private static Task AssertSummariesReadBackAsync(ISessionStore store, string id) => EncryptionAtRestSecrets.AssertSummariesReadBackAsync(store, id, Marker);

    [TestCase(true)]
    [TestCase(false)]
    public async Task UseEncryptionAtRest_EitherOrder_RowsHoldNoPlaintext_AndEverythingReadsBack(bool encryptionFirst)
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var provider = Provider(schema, encrypt: true, encryptionFirst);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();

        await WriteSecretsAsync(store, id);
        var raw = await RawRowsAsync(schema);

        Assert.Multiple(async () =>
        {
            Assert.That(store.GetService<PostgreSqlSessionStore>(), Is.Not.Null);
            Assert.That(raw, Does.Contain("\"sealed\":\""));
            Assert.That(raw, Does.Not.Contain(Marker));
            Assert.That(raw, Does.Not.Contain(OwnerMarker));
            await AssertSummariesReadBackAsync(store, id);
            Assert.That((await store.GetMetadataAsync(id))!.Owner, Is.EqualTo(OwnerMarker));
        });
    }

    [Test]
    public async Task WithoutEncryption_RowsHoldThePlaintext()
    {
        // The check above can fail: the same writes without encryption leave the marker in the rows.
        var schema = PostgreSqlStores.NewSchema();
        await using var provider = Provider(schema, encrypt: false, encryptionFirst: false);

        await WriteSecretsAsync(provider.GetRequiredService<ISessionStore>(), SessionId.New());

        Assert.That(await RawRowsAsync(schema), Does.Contain(Marker).And.Contain(OwnerMarker).And.Contain(Marker + " rolling summary").And.Contain(Marker + " late summary"));
    }

    [Test]
    public async Task GetAsync_AByteDamagedAnywhereInTheStoredRecord_ThrowsNamingSessionAndTurn()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var provider = Provider(schema, encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn());
        var record = (byte[])(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT record FROM {schema}.dexter_turns"))!;

        await EncryptionAtRestSecrets.AssertEveryDamagedByteIsRefusedAsync(record, 1, id, Marker,
            damaged => PostgreSqlStores.ScalarAsync(ConnectionString, $"UPDATE {schema}.dexter_turns SET record = $1", damaged),
            () => store.GetAsync(id));
    }

    private static async Task WriteRowAsync(string schema, string sessionId, int turnId, byte[] record, byte[]? embedding) =>
        await PostgreSqlStores.ScalarAsync(
            ConnectionString,
            $"UPDATE {schema}.dexter_turns SET record = $1, embedding = $2 WHERE session_id = $3 AND turn_id = $4",
            record,
            (object?)embedding ?? DBNull.Value,
            sessionId,
            turnId);

    [Test]
    public async Task GetAsync_RecordInClearDamagedInItsStructure_ThrowsNamingSessionAndTurn()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var provider = Provider(schema, encrypt: false, encryptionFirst: false);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn());
        var record = (byte[])(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT record FROM {schema}.dexter_turns"))!;

        await StoredRecordDamage.AssertEveryDamagedStructuralByteIsRefusedAsync(record, 1, id,
            damaged => PostgreSqlStores.ScalarAsync(ConnectionString, $"UPDATE {schema}.dexter_turns SET record = $1", damaged),
            () => store.GetAsync(id));
    }

    [Test]
    public async Task StoredRecord_HoldsTheContentAsOneBase64UrlBlob_AndNoVectorInClear()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var provider = Provider(schema, encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn());

        var record = (byte[])(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT record FROM {schema}.dexter_turns"))!;
        var embedding = await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT embedding FROM {schema}.dexter_turns");

        Assert.Multiple(() =>
        {
            Assert.That(System.Text.Encoding.UTF8.GetString(record), Does.Match($"^\\{{\"id\":1,\"v\":{TurnRecordSerializer.CurrentVersion},\"createdAt\":\"[^\"]+\",\"sealed\":\"[A-Za-z0-9_-]+\"\\}}$"));
            Assert.That(embedding, Is.EqualTo(DBNull.Value), "the vector is sealed with the content");
        });
    }

    [Test]
    public async Task GetAsync_RowsWrittenByEarlierVersions_ReadBack_AndAreSealedWhenUpdated()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var provider = Provider(schema, encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        var stored = EarlierEncryptionFormat.StoredTurns(provider.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(), id, Marker);
        for (var i = 0; i < stored.Length; i++)
        {
            // As earlier versions wrote them: the record without the vector, the vector (packed, when encrypted) in its column.
            await store.AppendAsync(id, new Message { Query = "placeholder", Answer = "placeholder" });
            await WriteRowAsync(schema, id, i + 1, EarlierEncryptionFormat.Record(stored[i] with { Embedding = default }, i + 1), TurnRecordSerializer.EncodeEmbedding(stored[i].Embedding.Span));
        }

        var recordOf1 = $"SELECT record FROM {schema}.dexter_turns WHERE turn_id = 1";
        var earlierRecord = System.Text.Encoding.UTF8.GetString((byte[])(await PostgreSqlStores.ScalarAsync(ConnectionString, recordOf1))!);
        var read = (await store.GetAsync(id))!.GetAll();
        await store.UpdateTurnSummaryAsync(id, 1, Marker + " new summary");
        var resealed = System.Text.Encoding.UTF8.GetString((byte[])(await PostgreSqlStores.ScalarAsync(ConnectionString, recordOf1))!);

        Assert.Multiple(async () =>
        {
            Assert.That(earlierRecord, Does.StartWith("{\"id\":1,\"v\":2,\"query\":\"" + EncryptingSessionStore.CiphertextPrefix), "written as earlier versions did");
            Assert.That(read, Is.EqualTo(EarlierEncryptionFormat.ExpectedTurns(Marker)));
            Assert.That(resealed, Does.Contain("\"sealed\":\"").And.Not.Contain(Marker).And.Not.Contain(EncryptingSessionStore.CiphertextPrefix));
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT embedding FROM {schema}.dexter_turns WHERE turn_id = 1"), Is.EqualTo(DBNull.Value), "the vector moved into the sealed content");
            Assert.That((await store.GetRecentAsync(id, 3))[0], Is.EqualTo(EarlierEncryptionFormat.ExpectedTurns(Marker)[0] with { Summary = Marker + " new summary" }));
        });
    }

    [Test]
    public async Task GetRecentAsync_RecordCopiedToAnotherSession_Throws()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var provider = Provider(schema, encrypt: true, encryptionFirst: false);
        var store = provider.GetRequiredService<ISessionStore>();
        var victim = SessionId.New();
        var attacker = SessionId.New();
        await store.AppendAsync(victim, SecretTurn());
        await store.AppendAsync(attacker, new Message { Query = "mine", Answer = "mine" });

        await PostgreSqlStores.ScalarAsync(
            ConnectionString,
            $"UPDATE {schema}.dexter_turns SET record = (SELECT record FROM {schema}.dexter_turns WHERE session_id = $1) WHERE session_id = $2",
            victim,
            attacker);

        var e = Assert.ThrowsAsync<SessionStoreException>(() => store.GetRecentAsync(attacker, 10));

        Assert.That(e!.Message, Does.Contain($"Turn 1 of session '{attacker}' cannot be decrypted"));
    }
}
