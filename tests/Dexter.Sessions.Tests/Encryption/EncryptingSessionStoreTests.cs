using System.Text.Json;
using Dexter.Sessions.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.Tests.Encryption;

public sealed class EncryptingSessionStoreTests
{
    private const string Marker = "MARKER-7f3a9c-secret-query";
    private static readonly DateTimeOffset Time = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private InMemorySessionStore _inner = null!;
    private EphemeralDataProtectionProvider _dataProtection = null!;
    private EncryptingSessionStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _inner = new InMemorySessionStore();
        _dataProtection = new EphemeralDataProtectionProvider();
        _store = new EncryptingSessionStore(_inner, _dataProtection);
    }

    [TearDown]
    public void TearDown()
    {
        _store.Dispose();
        _inner.Dispose();
    }

    private static Message SecretTurn(int n = 1) => new()
    {
        Query = Marker + " query " + n,
        Answer = Marker + " answer " + n,
        Summary = Marker + " summary " + n,
        CreatedAt = Time.AddMinutes(n),
        InputTokenCount = 10 * n,
        OutputTokenCount = 20 * n,
        ResponseTime = TimeSpan.FromMilliseconds(100 * n),
        Embedding = new[] { 0.5f, -0.25f, n },
        ChatMessages =
        [
            new ChatMessage(ChatRole.User, Marker + " query " + n),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "lookup", new Dictionary<string, object?> { ["q"] = Marker })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", Marker + " result")]),
            new ChatMessage(ChatRole.Assistant, Marker + " answer " + n),
        ],
    };

    // Everything the inner store keeps of a turn, as the persistent stores write it.
    private static string Raw(Message stored) => System.Text.Encoding.UTF8.GetString(TurnRecordSerializer.Serialize(stored));

    [Test]
    public async Task AppendAsync_InnerStoreHoldsNoPlaintext_AndEverythingReadsBack()
    {
        var id = SessionId.New();
        var turn = SecretTurn();

        var recorded = await _store.AppendAsync(id, turn);
        var stored = (await _inner.GetRecentAsync(id, 1)).Single();
        var read = (await _store.GetRecentAsync(id, 1)).Single();
        var history = await _store.GetAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(recorded, Is.EqualTo(turn with { Id = 1 }));
            Assert.That(stored.SealedContent.IsEmpty, Is.False);
            Assert.That(Raw(stored), Does.Not.Contain(Marker));
            Assert.That(Raw(stored), Does.StartWith($"{{\"id\":1,\"v\":{TurnRecordSerializer.CurrentVersion},").And.Contain("\"sealed\":\""));
            Assert.That(stored.Query, Is.Empty);
            Assert.That(stored.Answer, Is.Empty);
            Assert.That(stored.Summary, Is.Empty);
            Assert.That(stored.ChatMessages, Is.Empty);
            Assert.That(stored.Embedding.IsEmpty, Is.True, "the vector is sealed with the content");
            Assert.That(stored.Id, Is.EqualTo(1));
            Assert.That(stored.CreatedAt, Is.EqualTo(turn.CreatedAt));
            Assert.That(stored.InputTokenCount, Is.EqualTo(10));
            Assert.That(read, Is.EqualTo(turn with { Id = 1 }));
            Assert.That(history!.GetAll().Single(), Is.EqualTo(turn with { Id = 1 }));
        });
    }

    [Test]
    public async Task AppendAsync_SameTurnTwice_WritesDifferentCiphertexts()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn());
        await _store.AppendAsync(id, SecretTurn() with { CreatedAt = Time.AddMinutes(1) });

        var stored = await _inner.GetRecentAsync(id, 2);

        Assert.That(stored[0].SealedContent.ToArray(), Is.Not.EqualTo(stored[1].SealedContent.ToArray()));
    }

    [Test]
    public async Task AppendAsync_EncryptEmbeddingsOff_KeepsTheVectorInClear()
    {
        using var store = new EncryptingSessionStore(_inner, _dataProtection, new EncryptionAtRestOptions { EncryptEmbeddings = false });
        var id = SessionId.New();
        var turn = SecretTurn();

        await store.AppendAsync(id, turn);
        var stored = (await _inner.GetRecentAsync(id, 1)).Single();

        Assert.Multiple(async () =>
        {
            Assert.That(stored.Embedding.ToArray(), Is.EqualTo(turn.Embedding.ToArray()));
            Assert.That(Raw(stored), Does.Not.Contain(Marker));
            Assert.That((await store.GetRecentAsync(id, 1)).Single(), Is.EqualTo(turn with { Id = 1 }));
        });
    }

    [Test]
    public async Task UpdateEmbeddingsAsync_EncryptsTheVector_AndReadsItBack()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1) with { Embedding = default });
        await _store.AppendAsync(id, SecretTurn(2) with { Embedding = default });
        float[] vector = [0.125f, 0.5f, -3f, float.Epsilon, 1e30f];

        await _store.UpdateEmbeddingsAsync(id, [new Message { Id = 2, Query = "x", Answer = "y", Embedding = vector }, new Message { Id = 9, Query = "x", Answer = "y", Embedding = vector }]);
        var stored = await _inner.GetRecentAsync(id, 2);
        var read = await _store.GetRecentAsync(id, 2);

        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(t => t.Embedding.IsEmpty), Is.EqualTo(new[] { true, true }), "the vector is sealed with the content");
            Assert.That(stored.Select(t => t.SealedContent.IsEmpty), Is.EqualTo(new[] { false, false }));
            Assert.That(read[0].Embedding.IsEmpty, Is.True);
            Assert.That(read[1].Embedding.ToArray(), Is.EqualTo(vector));
            Assert.That(read[1].Query, Is.EqualTo(Marker + " query 2"));
        });
    }

    [Test]
    public async Task UpdateEmbeddingsAsync_OverAStoreWithoutTouch_StillStoresTheVector()
    {
        using var inner = new WithoutTouch();
        using var store = new EncryptingSessionStore(inner, _dataProtection);
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn(1) with { Embedding = default });
        float[] vector = [0.25f, -1f];

        await store.UpdateEmbeddingsAsync(id, [new Message { Id = 1, Query = "x", Answer = "y", Embedding = vector }]);

        Assert.That((await store.GetRecentAsync(id, 1))[0].Embedding.ToArray(), Is.EqualTo(vector), "a store of one's own without TouchAsync keeps working");
    }

    /// <summary>A store of one's own that does not implement <see cref="ISessionStore.TouchAsync"/>, as the interface's default does.</summary>
    private sealed class WithoutTouch() : DelegatingSessionStore(new InMemorySessionStore(), disposeInner: true)
    {
        public override Task<bool> TouchAsync(string sessionId, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("This store does not implement TouchAsync.");
    }

    [Test]
    public async Task UpdateEmbeddingsAsync_EncryptEmbeddingsOff_StoresTheVectorInClear()
    {
        using var store = new EncryptingSessionStore(_inner, _dataProtection, new EncryptionAtRestOptions { EncryptEmbeddings = false });
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn() with { Embedding = default });
        float[] vector = [1f, 2f];

        await store.UpdateEmbeddingsAsync(id, [new Message { Id = 1, Query = "x", Answer = "y", Embedding = vector }]);

        Assert.That((await _inner.GetRecentAsync(id, 1)).Single().Embedding.ToArray(), Is.EqualTo(vector));
    }

    [Test]
    public async Task SetAsync_EncryptsEveryTurn_AndReadsBackWithTheirIds()
    {
        var id = SessionId.New();
        var turns = new[] { SecretTurn(1) with { Id = 3 }, SecretTurn(2) with { Id = 7 } };

        await _store.SetAsync(id, new MessageHistory(turns));
        var stored = (await _inner.GetAsync(id))!.GetAll();
        var read = (await _store.GetAsync(id))!.GetAll();
        var next = await _store.AppendAsync(id, SecretTurn(3));

        Assert.Multiple(() =>
        {
            Assert.That(stored.Select(m => m.Id), Is.EqualTo(new[] { 3, 7 }));
            Assert.That(stored.Select(Raw), Has.None.Contains(Marker));
            Assert.That(read, Is.EqualTo(turns));
            Assert.That(next.Id, Is.EqualTo(8));
        });
    }

    [Test]
    public async Task CreateAsync_EncryptsTheOwner_AndMetadataReadsItBack()
    {
        var id = SessionId.New();

        Assert.That(await _store.CreateAsync(id, "alice@example.com"), Is.True);
        var stored = await _inner.GetMetadataAsync(id);
        var read = await _store.GetMetadataAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(stored!.Owner, Does.StartWith(EncryptingSessionStore.CiphertextPrefix));
            Assert.That(stored.Owner, Does.Not.Contain("alice"));
            Assert.That(read, Is.EqualTo(stored with { Owner = "alice@example.com" }));
        });
    }

    [Test]
    public async Task CreateAsync_NoOwner_KeepsNone()
    {
        var id = SessionId.New();
        await _store.CreateAsync(id);

        Assert.That((await _store.GetMetadataAsync(id))!.Owner, Is.Null);
    }

    [Test]
    public async Task GetAsync_TurnsWrittenBeforeEncryption_ReadAsTheyAre()
    {
        var id = SessionId.New();
        var clear = await _inner.AppendAsync(id, SecretTurn(1));
        await _store.AppendAsync(id, SecretTurn(2));

        var read = (await _store.GetAsync(id))!.GetAll();

        Assert.That(read, Is.EqualTo(new[] { clear, SecretTurn(2) with { Id = 2 } }));
    }

    [Test]
    public async Task GetMetadataAsync_OwnerWrittenBeforeEncryption_ReadsAsItIs()
    {
        var id = SessionId.New();
        await _inner.CreateAsync(id, "bob");

        Assert.That((await _store.GetMetadataAsync(id))!.Owner, Is.EqualTo("bob"));
    }

    [Test]
    public async Task GetRecentAsync_AlteredCiphertext_ThrowsNamingSessionAndTurn()
    {
        var logger = new CollectingLogger<EncryptingSessionStore>();
        using var store = new EncryptingSessionStore(_inner, _dataProtection, logger: logger);
        var id = SessionId.New();
        await store.AppendAsync(id, SecretTurn(1));
        await store.AppendAsync(id, SecretTurn(2));
        var turns = (await _inner.GetAsync(id))!.GetAll().ToArray();
        var sealedContent = turns[1].SealedContent.ToArray();
        sealedContent[40] ^= 1;
        turns[1] = turns[1] with { SealedContent = sealedContent };
        await _inner.SetAsync(id, new MessageHistory(turns));

        var e = Assert.ThrowsAsync<SessionStoreException>(() => store.GetRecentAsync(id, 2));

        Assert.Multiple(() =>
        {
            Assert.That(e!.SessionId, Is.EqualTo(id));
            Assert.That(e.Message, Does.Contain($"Turn 2 of session '{id}' cannot be decrypted"));
            Assert.That(e.Message, Does.Contain("Restore the Data Protection key ring"));
            Assert.That(logger.Entries.Where(l => l.Level >= LogLevel.Warning).Select(l => l.EventId.Id), Is.EqualTo(new[] { 800 }));
            Assert.That(logger.Entries.Single(l => l.EventId.Id == 800).Level, Is.EqualTo(LogLevel.Error));
            Assert.That(logger.Entries.Single(l => l.EventId.Id == 800).Message, Does.Not.Contain(Marker));
        });
        Assert.ThrowsAsync<SessionStoreException>(() => store.GetAsync(id));
    }

    [Test]
    public async Task GetAsync_EmbeddingPutInClearBesideTheSealedOne_ThrowsNamingSessionAndTurn()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        var turn = (await _inner.GetAsync(id))!.GetAll().Single();
        await _inner.SetAsync(id, new MessageHistory([turn with { Embedding = new[] { 1f, 2f } }]));

        var e = Assert.ThrowsAsync<SessionStoreException>(() => _store.GetAsync(id));

        Assert.That(e!.Message, Does.Contain($"Turn 1 of session '{id}' cannot be decrypted: it has an embedding in clear beside its sealed one"));
    }

    [Test]
    public async Task GetAsync_FieldInClearAltered_ThrowsNamingSessionAndTurn()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        var turn = (await _inner.GetAsync(id))!.GetAll().Single();
        await _inner.SetAsync(id, new MessageHistory([turn with { OutputTokenCount = 99_999 }]));

        var e = Assert.ThrowsAsync<SessionStoreException>(() => _store.GetAsync(id));

        Assert.That(e!.Message, Does.Contain($"Turn 1 of session '{id}' cannot be decrypted: its fields in clear do not match its sealed content"));
    }

    [Test]
    public async Task GetAsync_RecordMovedToAnotherSession_Throws()
    {
        var from = SessionId.New();
        var to = SessionId.New();
        await _store.AppendAsync(from, SecretTurn(1));
        await _store.AppendAsync(to, new Message { Query = "mine", Answer = "mine", CreatedAt = Time });

        await _inner.SetAsync(to, (await _inner.GetAsync(from))!);
        var e = Assert.ThrowsAsync<SessionStoreException>(() => _store.GetRecentAsync(to, 5));

        Assert.Multiple(() =>
        {
            Assert.That(e!.SessionId, Is.EqualTo(to));
            Assert.That(e.Message, Does.Contain($"Turn 1 of session '{to}'"));
        });
    }

    [Test]
    public async Task GetAsync_OwnerMovedToAnotherSession_Throws()
    {
        var from = SessionId.New();
        var to = SessionId.New();
        await _store.CreateAsync(from, "alice");
        await _inner.CreateAsync(to, (await _inner.GetMetadataAsync(from))!.Owner);

        var e = Assert.ThrowsAsync<SessionStoreException>(() => _store.GetMetadataAsync(to));

        Assert.That(e!.Message, Does.Contain($"The owner of session '{to}' cannot be decrypted"));
    }

    [Test]
    public async Task GetAsync_ContentCopiedOverAnotherTurn_Throws()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        await _store.AppendAsync(id, SecretTurn(2));
        var turns = (await _inner.GetAsync(id))!.GetAll();

        await _inner.SetAsync(id, new MessageHistory([turns[0], turns[1] with { SealedContent = turns[0].SealedContent }]));
        var e = Assert.ThrowsAsync<SessionStoreException>(() => _store.GetAsync(id));

        Assert.That(e!.Message, Does.Contain($"Turn 2 of session '{id}' cannot be decrypted: its content belongs to another turn"));
    }

    [Test]
    public async Task GetAsync_TurnWrittenWithItsIdMovedToAnotherId_Throws()
    {
        var id = SessionId.New();
        await _store.SetAsync(id, new MessageHistory([SecretTurn(1) with { Id = 1 }]));
        var stored = (await _inner.GetAsync(id))!.GetAll().Single();

        await _inner.SetAsync(id, new MessageHistory([stored with { Id = 2 }]));

        Assert.ThrowsAsync<SessionStoreException>(() => _store.GetAsync(id));
    }

    [Test]
    public async Task GetAsync_KeyLost_Throws()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        using var otherKeys = new EncryptingSessionStore(_inner, new EphemeralDataProtectionProvider());

        var e = Assert.ThrowsAsync<SessionStoreException>(() => otherKeys.GetAsync(id));

        Assert.That(e!.InnerException, Is.InstanceOf<System.Security.Cryptography.CryptographicException>());
    }

    [Test]
    public async Task GetAsync_OtherPurpose_Throws()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        using var otherApp = new EncryptingSessionStore(_inner, _dataProtection, new EncryptionAtRestOptions { Purpose = "Another.App" });

        Assert.ThrowsAsync<SessionStoreException>(() => otherApp.GetAsync(id));
    }

    [Test]
    public async Task KeyRotation_TurnsProtectedWithTheOldKey_StillRead()
    {
        var keys = Directory.CreateTempSubdirectory("dexter-keys-");
        try
        {
            var id = SessionId.New();
            using (var before = KeyRing(keys))
            {
                using var store = new EncryptingSessionStore(_inner, before.GetRequiredService<IDataProtectionProvider>());
                await store.AppendAsync(id, SecretTurn(1));

                // Rotate: a new key, active now, becomes the default; the old one stays in the ring.
                before.GetRequiredService<IKeyManager>().CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
            }

            using var after = KeyRing(keys);
            using var rotated = new EncryptingSessionStore(_inner, after.GetRequiredService<IDataProtectionProvider>());
            await rotated.AppendAsync(id, SecretTurn(2));
            var stored = await _inner.GetRecentAsync(id, 2);

            Assert.Multiple(async () =>
            {
                Assert.That(after.GetRequiredService<IKeyManager>().GetAllKeys(), Has.Count.EqualTo(2));
                Assert.That(KeyIdOf(stored[1]), Is.Not.EqualTo(KeyIdOf(stored[0])));
                Assert.That(await rotated.GetRecentAsync(id, 2), Is.EqualTo(new[] { SecretTurn(1) with { Id = 1 }, SecretTurn(2) with { Id = 2 } }));
            });
        }
        finally
        {
            keys.Delete(recursive: true);
        }
    }

    private static SessionSummary SecretSummary(int throughTurnId) =>
        new(Marker + " rolling summary through " + throughTurnId, throughTurnId, Time.AddHours(throughTurnId).ToOffset(TimeSpan.FromHours(2)));

    [Test]
    public async Task TrySetSummaryAsync_InnerStoreHoldsNoPlaintext_IdsAndTimeStayClear_AndItReadsBack()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        await _store.AppendAsync(id, SecretTurn(2));

        var stored = await _store.TrySetSummaryAsync(id, SecretSummary(2), expectedThroughTurnId: 0);
        var raw = await _inner.GetSummaryAsync(id);

        Assert.Multiple(async () =>
        {
            Assert.That(stored, Is.True);
            Assert.That(raw!.Text, Does.StartWith(EncryptingSessionStore.CiphertextPrefix).And.Not.Contain(Marker));
            Assert.That(raw.ThroughTurnId, Is.EqualTo(2), "in clear, for the compare-and-set");
            Assert.That(raw.UpdatedAt, Is.EqualTo(SecretSummary(2).UpdatedAt));
            Assert.That(await _store.GetSummaryAsync(id), Is.EqualTo(SecretSummary(2)));
        });
    }

    [Test]
    public async Task TrySetSummaryAsync_CompareAndSetWorksThroughTheDecorator()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        Assert.That(await _store.TrySetSummaryAsync(id, SecretSummary(1), 0), Is.True);

        Assert.Multiple(async () =>
        {
            Assert.That(await _store.TrySetSummaryAsync(id, SecretSummary(3), 0), Is.False, "stale: expected none");
            Assert.That(await _store.TrySetSummaryAsync(id, SecretSummary(3), 2), Is.False, "stale: expected another");
            Assert.That(await _store.TrySetSummaryAsync(id, SecretSummary(3), 1), Is.True, "the expected one");
            Assert.That(await _store.GetSummaryAsync(id), Is.EqualTo(SecretSummary(3)));
            Assert.That(() => _store.TrySetSummaryAsync(id, SecretSummary(0), 0), Throws.ArgumentException);
        });
    }

    [Test]
    public async Task GetSummaryAsync_SummaryWrittenBeforeEncryption_ReadsAsItIs()
    {
        var id = SessionId.New();
        await _inner.AppendAsync(id, new Message { Query = "q", Answer = "a", CreatedAt = Time });
        await _inner.TrySetSummaryAsync(id, new SessionSummary("clear summary", 1, Time), 0);

        Assert.That(await _store.GetSummaryAsync(id), Is.EqualTo(new SessionSummary("clear summary", 1, Time)));
    }

    [Test]
    public async Task GetSummaryAsync_SummaryMovedToAnotherSession_ThrowsNamingTheSession()
    {
        var from = SessionId.New();
        var to = SessionId.New();
        await _store.AppendAsync(from, SecretTurn(1));
        await _store.AppendAsync(to, SecretTurn(1));
        await _store.TrySetSummaryAsync(from, SecretSummary(1), 0);
        await _inner.TrySetSummaryAsync(to, (await _inner.GetSummaryAsync(from))!, 0);

        var e = Assert.ThrowsAsync<SessionStoreException>(() => _store.GetSummaryAsync(to));

        Assert.Multiple(() =>
        {
            Assert.That(e!.SessionId, Is.EqualTo(to));
            Assert.That(e.Message, Does.Contain($"The rolling summary of session '{to}' cannot be decrypted"));
            Assert.That(e.InnerException, Is.InstanceOf<System.Security.Cryptography.CryptographicException>());
        });
    }

    [Test]
    public async Task GetSummaryAsync_OlderSummaryCopiedOverANewerOne_Throws()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        await _store.TrySetSummaryAsync(id, SecretSummary(1), 0);
        var older = (await _inner.GetSummaryAsync(id))!;
        await _store.TrySetSummaryAsync(id, SecretSummary(4), 1);

        // Someone with write access to the store puts the older text back under the newer ids.
        await _inner.TrySetSummaryAsync(id, older with { ThroughTurnId = 5 }, 4);
        var e = Assert.ThrowsAsync<SessionStoreException>(() => _store.GetSummaryAsync(id));

        Assert.That(e!.Message, Does.Contain($"The rolling summary of session '{id}' cannot be decrypted: its text was written for another summary"));
    }

    [Test]
    public async Task GetSummaryAsync_KeyLost_Throws()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        await _store.TrySetSummaryAsync(id, SecretSummary(1), 0);
        using var otherKeys = new EncryptingSessionStore(_inner, new EphemeralDataProtectionProvider());

        Assert.ThrowsAsync<SessionStoreException>(() => otherKeys.GetSummaryAsync(id));
    }

    [Test]
    public async Task UpdateTurnSummaryAsync_InnerStoreHoldsNoPlaintext_AndTheTurnReadsBackWithIt()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        await _store.AppendAsync(id, SecretTurn(2));

        var updated = await _store.UpdateTurnSummaryAsync(id, 2, Marker + " late summary");
        var stored = await _inner.GetRecentAsync(id, 2);
        var read = await _store.GetRecentAsync(id, 2);

        Assert.Multiple(async () =>
        {
            Assert.That(updated, Is.True);
            Assert.That(stored.Select(Raw), Has.None.Contains(Marker));
            Assert.That(stored[1].Summary, Is.Empty, "the summary is sealed with the rest of the turn");
            Assert.That(read, Is.EqualTo(new[] { SecretTurn(1) with { Id = 1 }, SecretTurn(2) with { Id = 2, Summary = Marker + " late summary" } }));
            Assert.That((await _store.GetAsync(id))!.GetById(2)!.Summary, Is.EqualTo(Marker + " late summary"));
            Assert.That(await _store.UpdateTurnSummaryAsync(id, 3, "no such turn"), Is.False);
            Assert.That(() => _store.UpdateTurnSummaryAsync(id, 0, "s"), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => _store.UpdateTurnSummaryAsync(id, 1, string.Empty), Throws.ArgumentException);
        });
    }

    [Test]
    public async Task UpdateTurnSummaryAsync_TurnWrittenBeforeEncryption_GetsAnEncryptedSummary()
    {
        var id = SessionId.New();
        await _inner.AppendAsync(id, new Message { Query = "clear query", Answer = "clear answer", Summary = "clear", CreatedAt = Time });

        await _store.UpdateTurnSummaryAsync(id, 1, Marker + " late summary");

        Assert.Multiple(async () =>
        {
            Assert.That((await _inner.GetRecentAsync(id, 1)).Single().Summary, Does.Not.Contain(Marker));
            Assert.That((await _store.GetRecentAsync(id, 1)).Single().Summary, Is.EqualTo(Marker + " late summary"));
        });
    }

    [Test]
    public async Task GetAsync_TurnResealedWithItsIdCopiedToAnotherTurn_ThrowsNamingSessionAndTurn()
    {
        var id = SessionId.New();
        await _store.AppendAsync(id, SecretTurn(1));
        await _store.AppendAsync(id, SecretTurn(1));
        await _store.UpdateTurnSummaryAsync(id, 1, Marker + " late summary");

        // Same time, same bookkeeping: only the id the late summary bound the content to tells them apart.
        var turns = await _inner.GetRecentAsync(id, 2);
        await _inner.UpdateTurnsAsync(id, [2], turn => turn with { SealedContent = turns[0].SealedContent });

        var e = Assert.ThrowsAsync<SessionStoreException>(() => _store.GetAsync(id));

        Assert.That(e!.Message, Does.Contain($"Turn 2 of session '{id}' cannot be decrypted: its content belongs to another turn"));
    }

    [Test]
    public async Task GetAsync_TurnsInTheEarlierEncryptedFormat_ReadBack_AndAreResealedWhenUpdated()
    {
        var id = SessionId.New();
        await _inner.AppendAsync(id, EarlierEncryptionFormat.Turn(_dataProtection, id, SecretTurn(1), id: 0));
        var withLateSummary = EarlierEncryptionFormat.Turn(_dataProtection, id, SecretTurn(2) with { Id = 2 }, id: 2);
        await _inner.AppendAsync(id, withLateSummary with { Summary = EarlierEncryptionFormat.TurnSummary(_dataProtection, id, 2, Marker + " late summary") });
        await _inner.AppendAsync(id, SecretTurn(3));

        var read = (await _store.GetAsync(id))!.GetAll();
        await _store.UpdateTurnSummaryAsync(id, 1, Marker + " new summary");
        var stored = await _inner.GetRecentAsync(id, 3);

        Assert.Multiple(async () =>
        {
            Assert.That(read, Is.EqualTo(new[] { SecretTurn(1) with { Id = 1 }, SecretTurn(2) with { Id = 2, Summary = Marker + " late summary" }, SecretTurn(3) with { Id = 3 } }));
            Assert.That(stored[0].Query, Is.Empty, "turn 1 was sealed again in the current format");
            Assert.That(stored[0].SealedContent.IsEmpty, Is.False);
            Assert.That(stored[1].Query, Does.StartWith(EncryptingSessionStore.CiphertextPrefix), "turn 2 was left as it was");
            Assert.That((await _store.GetRecentAsync(id, 3))[0], Is.EqualTo(SecretTurn(1) with { Id = 1, Summary = Marker + " new summary" }));
        });
    }

    [Test]
    public void Constructor_NullArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new EncryptingSessionStore(null!, _dataProtection), Throws.ArgumentNullException);
            Assert.That(() => new EncryptingSessionStore(_inner, null!), Throws.ArgumentNullException);
            Assert.That(() => new EncryptionAtRestOptions { Purpose = " " }, Throws.ArgumentException);
        });
    }

    [Test]
    public void EveryMethod_InvalidArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => _store.AppendAsync("bad id", SecretTurn()), Throws.ArgumentException);
            Assert.That(() => _store.AppendAsync(SessionId.New(), null!), Throws.ArgumentNullException);
            Assert.That(() => _store.SetAsync(SessionId.New(), null!), Throws.ArgumentNullException);
            Assert.That(() => _store.UpdateEmbeddingsAsync(SessionId.New(), null!), Throws.ArgumentNullException);
            Assert.That(() => _store.CreateAsync("bad id", "owner"), Throws.ArgumentException);
            Assert.That(() => _store.GetRecentAsync("bad id", 1), Throws.ArgumentException);
        });
    }

    [Test]
    public void GetService_FindsTheInnerStore()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_store.GetService<EncryptingSessionStore>(), Is.SameAs(_store));
            Assert.That(_store.GetService<InMemorySessionStore>(), Is.SameAs(_inner));
        });
    }

    private static ServiceProvider KeyRing(DirectoryInfo keys)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("dexter-tests").PersistKeysToFileSystem(keys);
        return services.BuildServiceProvider();
    }

    // A Data Protection payload is a 4-byte magic header followed by the id of the key that protected it.
    // A sealed blob is one format byte, then the Data Protection payload.
    private static Guid KeyIdOf(Message stored) => new(stored.SealedContent.Span.Slice(1 + 4, 16));
}
