using System.Text;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Dexter.Sessions.Redis.Tests;

/// <summary>Encryption at rest over Redis: what the server keeps, read with a plain Redis client.</summary>
[TestFixture]
public sealed class EncryptedRedisSessionStoreTests
{
    private const string Marker = "MARKER-5d1e-redis-secret";
    private const string OwnerMarker = "OWNER-5d1e@example.com";

    private RedisServer _server = null!;
    private ConnectionMultiplexer _connection = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await RedisServer.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _connection.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static Message SecretTurn() => EncryptionAtRestSecrets.Turn(Marker);

    private static Task WriteSummariesAsync(ISessionStore store, string id) => EncryptionAtRestSecrets.WriteSummariesAsync(store, id, Marker);

    private static Task AssertSummariesReadBackAsync(ISessionStore store, string id) => EncryptionAtRestSecrets.AssertSummariesReadBackAsync(store, id, Marker);

    private ServiceProvider Provider(string keyPrefix, bool encrypt, bool encryptionFirst) =>
        EncryptionAtRestSecrets.Provider(
            sessions => sessions.UseRedis(o =>
            {
                o.Configuration = _server.Endpoint;
                o.KeyPrefix = keyPrefix;
            }),
            encrypt,
            encryptionFirst);

    /// <summary>Everything the server keeps under a key prefix, as text: key names, hash fields and values, list items.</summary>
    private async Task<string> RawContentsAsync(string keyPrefix)
    {
        var database = _connection.GetDatabase();
        var raw = new StringBuilder();
        await foreach (var key in _connection.GetServer(_server.Endpoint).KeysAsync(pattern: keyPrefix + "*"))
        {
            raw.Append(key).Append('\n');
            switch (await database.KeyTypeAsync(key))
            {
                case RedisType.Hash:
                    foreach (var entry in await database.HashGetAllAsync(key))
                    {
                        raw.Append(entry.Name).Append('=').Append(entry.Value).Append('\n');
                    }

                    break;
                case RedisType.List:
                    foreach (var item in await database.ListRangeAsync(key))
                    {
                        raw.Append(item).Append('\n');
                    }

                    break;
                case RedisType.SortedSet:
                    foreach (var entry in await database.SortedSetRangeByRankWithScoresAsync(key))
                    {
                        raw.Append(entry.Element).Append('=').Append(entry.Score).Append('\n');
                    }

                    break;
                default:
                    raw.Append(await database.StringGetAsync(key)).Append('\n');
                    break;
            }
        }

        return raw.ToString();
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task UseEncryptionAtRest_EitherOrder_RedisHoldsNoPlaintext_AndEverythingReadsBack(bool encryptionFirst)
    {
        var prefix = "enc:" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var provider = Provider(prefix, encrypt: true, encryptionFirst);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();

        await store.CreateAsync(id, OwnerMarker);
        await store.AppendAsync(id, SecretTurn());
        await store.UpdateEmbeddingsAsync(id, [SecretTurn() with { Id = 1, Embedding = new[] { 1f, 2f, 3f } }]);
        await WriteSummariesAsync(store, id);
        var raw = await RawContentsAsync(prefix);

        Assert.Multiple(async () =>
        {
            Assert.That(store.GetService<RedisSessionStore>(), Is.Not.Null);
            Assert.That(raw, Does.Contain("\"sealed\":\""));
            Assert.That(raw, Does.Not.Contain(Marker));
            Assert.That(raw, Does.Not.Contain(OwnerMarker));
            await AssertSummariesReadBackAsync(store, id);
            Assert.That((await store.GetMetadataAsync(id))!.Owner, Is.EqualTo(OwnerMarker));
        });
    }

    [Test]
    public async Task WithoutEncryption_RedisHoldsThePlaintext()
    {
        // The check above can fail: the same contents without encryption do show the marker.
        var prefix = "clear:" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var provider = Provider(prefix, encrypt: false, encryptionFirst: false);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();

        await store.CreateAsync(id, OwnerMarker);
        await store.AppendAsync(id, SecretTurn());
        await WriteSummariesAsync(store, id);

        Assert.That(await RawContentsAsync(prefix), Does.Contain(Marker).And.Contain(OwnerMarker).And.Contain(Marker + " rolling summary").And.Contain(Marker + " late summary"));
    }

    [Test]
    public async Task GetAsync_AByteDamagedAnywhereInTheStoredRecord_ThrowsNamingSessionAndTurn()
    {
        var prefix = "tamper:" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var provider = Provider(prefix, encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn());
        await store.AppendAsync(id, SecretTurn());
        var key = prefix + "{" + id + "}:turns";
        var database = _connection.GetDatabase();
        var record = (byte[])(await database.ListGetByIndexAsync(key, 1))!;

        await EncryptionAtRestSecrets.AssertEveryDamagedByteIsRefusedAsync(record, 2, id, Marker,
            damaged => database.ListSetByIndexAsync(key, 1, damaged), () => store.GetAsync(id));
    }

    [Test]
    public async Task StoredRecord_SealedContent_IsBase64UrlInItsOwnField_WithoutJsonEscapes()
    {
        var prefix = "escapes:" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var provider = Provider(prefix, encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        for (var i = 0; i < 8; i++)
        {
            await store.AppendAsync(id, SecretTurn());
        }

        await store.UpdateTurnSummaryAsync(id, 3, Marker + " late summary");
        var records = (await _connection.GetDatabase().ListRangeAsync(prefix + "{" + id + "}:turns")).Select(r => (string)r!).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(records, Has.Length.EqualTo(8));
            foreach (var record in records)
            {
                Assert.That(record, Does.Match($"^\\{{\"id\":[1-8],\"v\":{TurnRecordSerializer.CurrentVersion},\"createdAt\":\"[^\"]+\",\"sealed\":\"[A-Za-z0-9_-]+\"\\}}$"), "bookkeeping in clear, the content in one base64url blob");
                Assert.That(record, Does.Not.Contain(Marker).And.Not.Contain("\\u").And.Not.Contain(EncryptingSessionStore.CiphertextPrefix));
            }
        });
    }

    [Test]
    public async Task GetAsync_RecordsWrittenByEarlierVersions_ReadBack_AndAreSealedWhenUpdated()
    {
        var prefix = "earlier:" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var provider = Provider(prefix, encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        var key = prefix + "{" + id + "}:turns";
        var database = _connection.GetDatabase();
        var stored = EarlierEncryptionFormat.StoredTurns(provider.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(), id, Marker);
        for (var i = 0; i < stored.Length; i++)
        {
            await store.AppendAsync(id, new Message { Query = "placeholder", Answer = "placeholder" });
            await database.ListSetByIndexAsync(key, i, EarlierEncryptionFormat.Record(stored[i], i + 1));
        }

        var earlierRecord = (string)(await database.ListGetByIndexAsync(key, 0))!;
        var read = (await store.GetAsync(id))!.GetAll();
        await store.UpdateTurnSummaryAsync(id, 1, Marker + " new summary");
        var resealed = (string)(await database.ListGetByIndexAsync(key, 0))!;

        Assert.Multiple(async () =>
        {
            Assert.That(earlierRecord, Does.StartWith("{\"id\":1,\"v\":2,\"query\":\"" + EncryptingSessionStore.CiphertextPrefix), "written as earlier versions did");
            Assert.That(read, Is.EqualTo(EarlierEncryptionFormat.ExpectedTurns(Marker)));
            Assert.That(resealed, Does.Contain("\"sealed\":\"").And.Not.Contain(Marker).And.Not.Contain(EncryptingSessionStore.CiphertextPrefix));
            Assert.That((await store.GetRecentAsync(id, 3))[0], Is.EqualTo(EarlierEncryptionFormat.ExpectedTurns(Marker)[0] with { Summary = Marker + " new summary" }));
        });
    }

    [Test]
    public async Task GetAsync_RecordInClearDamagedInItsStructure_ThrowsNamingSessionAndTurn()
    {
        var prefix = "cleardamage:" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var provider = Provider(prefix, encrypt: false, encryptionFirst: false);
        var store = provider.GetRequiredService<ISessionStore>();
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn());
        await store.AppendAsync(id, SecretTurn());
        var key = prefix + "{" + id + "}:turns";
        var database = _connection.GetDatabase();
        var record = (byte[])(await database.ListGetByIndexAsync(key, 1))!;

        await StoredRecordDamage.AssertEveryDamagedStructuralByteIsRefusedAsync(record, 2, id,
            damaged => database.ListSetByIndexAsync(key, 1, damaged), () => store.GetAsync(id));
    }

    [Test]
    public async Task GetRecentAsync_RecordsCopiedToAnotherSession_Throws()
    {
        var prefix = "moved:" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var provider = Provider(prefix, encrypt: true, encryptionFirst: true);
        var store = provider.GetRequiredService<ISessionStore>();
        var victim = SessionId.New();
        var attacker = SessionId.New();
        await store.AppendAsync(victim, SecretTurn());
        await store.AppendAsync(attacker, new Message { Query = "mine", Answer = "mine" });

        var database = _connection.GetDatabase();
        var stolen = await database.ListGetByIndexAsync(prefix + "{" + victim + "}:turns", 0);
        await database.ListSetByIndexAsync(prefix + "{" + attacker + "}:turns", 0, stolen);

        var e = Assert.ThrowsAsync<SessionStoreException>(() => store.GetRecentAsync(attacker, 10));

        Assert.That(e!.Message, Does.Contain($"Turn 1 of session '{attacker}' cannot be decrypted"));
    }
}
