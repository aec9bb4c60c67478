using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary>
/// The behaviour every <see cref="ISessionStore"/> must have. A store's test project derives a fixture from this class
/// and supplies <see cref="CreateStoreAsync"/>; every test here then runs against that store.
/// </summary>
public abstract partial class SessionStoreContractTests
{
    /// <summary>Gets the store under test, made anew for each test.</summary>
    protected ISessionStore Store { get; private set; } = null!;

    /// <summary>Gets how many concurrent tasks <see cref="AppendAsync_ConcurrentWriters_LoseAndDuplicateNoTurn"/> runs.</summary>
    protected virtual int ConcurrentTasks => 16;

    /// <summary>Gets how many appends each of those tasks makes.</summary>
    protected virtual int AppendsPerTask => 500;

    /// <summary>The session lifetime every store under test is given (see <see cref="CreateStoreAsync"/>).</summary>
    protected static readonly TimeSpan SessionTtl = TimeSpan.FromHours(1);

    /// <summary>Gets the clock of the test: a store under test takes its times from it.</summary>
    protected FakeTimeProvider Clock { get; private set; } = null!;

    /// <summary>Makes an empty store for one test, with <see cref="Clock"/> as its clock and <see cref="SessionTtl"/> as its session lifetime.</summary>
    protected abstract Task<ISessionStore> CreateStoreAsync();

    /// <summary>
    /// Lets <paramref name="time"/> pass for the store: advances <see cref="Clock"/>; a store whose expiry runs elsewhere (a server's
    /// own clock) overrides this to make the same time pass there.
    /// </summary>
    protected virtual Task AdvanceTimeAsync(TimeSpan time)
    {
        Clock.Advance(time);
        return Task.CompletedTask;
    }

    /// <summary>Releases the store after a test.</summary>
    protected virtual ValueTask DisposeStoreAsync(ISessionStore store) => store switch
    {
        IAsyncDisposable asyncDisposable => asyncDisposable.DisposeAsync(),
        IDisposable disposable => Dispose(disposable),
        _ => ValueTask.CompletedTask,
    };

    [SetUp]
    public async Task CreateStoreForTest()
    {
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        Store = await CreateStoreAsync();
    }

    [TearDown]
    public async Task DisposeStoreAfterTest() => await DisposeStoreAsync(Store);

    protected static string NewSessionId() => SessionId.New();

    protected static Message Turn(string query, string answer = "answer", string summary = "summary") =>
        new() { Query = query, Answer = answer, Summary = summary, CreatedAt = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero) };

    [Test]
    public async Task GetAsync_UnknownSession_ReturnsNull()
    {
        Assert.That(await Store.GetAsync(NewSessionId()), Is.Null);
    }

    [Test]
    public async Task ExistsAsync_UnknownSession_ReturnsFalse()
    {
        Assert.That(await Store.ExistsAsync(NewSessionId()), Is.False);
    }

    [Test]
    public async Task GetMetadataAsync_UnknownSession_ReturnsNull()
    {
        Assert.That(await Store.GetMetadataAsync(NewSessionId()), Is.Null);
    }

    [Test]
    public async Task AppendAsync_NewSession_AssignsIdsFromOneAndCreatesTheSession()
    {
        var id = NewSessionId();

        var first = await Store.AppendAsync(id, Turn("q1") with { Id = 42 });
        var second = await Store.AppendAsync(id, Turn("q2"));
        var third = await Store.AppendAsync(id, Turn("q3"));

        Assert.Multiple(async () =>
        {
            Assert.That(new[] { first.Id, second.Id, third.Id }, Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(await Store.ExistsAsync(id), Is.True);
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(m => m.Query), Is.EqualTo(new[] { "q1", "q2", "q3" }));
        });
    }

    [Test]
    public async Task AppendAsync_KeepsEveryFieldOfTheTurn()
    {
        var id = NewSessionId();
        var turn = new Message
        {
            Query = "Wie geht's? 你好 — \"quoted\" \\ {braces}",
            Answer = "Line one\nLine two\t✓ 😀",
            Summary = "A summary",
            CreatedAt = new DateTimeOffset(2026, 11, 24, 13, 14, 15, TimeSpan.FromHours(2)).AddTicks(1234567),
            InputTokenCount = 120,
            OutputTokenCount = 45,
            ResponseTime = TimeSpan.FromMilliseconds(1234.5),
            Interrupted = true,
            Embedding = new float[] { 0.25f, -1.5f, 3.0e-8f, float.Epsilon },
        };

        var recorded = await Store.AppendAsync(id, turn);
        var read = (await Store.GetAsync(id))!.GetById(1);
        var recent = await Store.GetRecentAsync(id, 1);

        Assert.Multiple(() =>
        {
            Assert.That(recorded, Is.EqualTo(turn with { Id = 1 }));
            Assert.That(read, Is.EqualTo(turn with { Id = 1 }));
            Assert.That(read!.CreatedAt.Offset, Is.EqualTo(turn.CreatedAt.Offset));
            Assert.That(recent.Single(), Is.EqualTo(turn with { Id = 1 }));
        });
    }

    [Test]
    public async Task AppendAsync_TurnWithoutOptionalFields_ReadsBackWithoutThem()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, new Message { Query = "q", Answer = "" });

        var read = (await Store.GetRecentAsync(id, 5)).Single();

        Assert.Multiple(() =>
        {
            Assert.That(read.Answer, Is.Empty);
            Assert.That(read.Summary, Is.Empty);
            Assert.That(read.InputTokenCount, Is.Null);
            Assert.That(read.ResponseTime, Is.Null);
            Assert.That(read.Embedding.IsEmpty, Is.True);
        });
    }

    [Test]
    public async Task GetRecentAsync_ReturnsTheLatestTurnsInChronologicalOrder()
    {
        var id = NewSessionId();
        for (var i = 1; i <= 25; i++)
        {
            await Store.AppendAsync(id, Turn("q" + i));
        }

        var recent = await Store.GetRecentAsync(id, 10);
        var all = await Store.GetRecentAsync(id, 1000);

        Assert.Multiple(() =>
        {
            Assert.That(recent.Select(m => m.Id), Is.EqualTo(Enumerable.Range(16, 10)));
            Assert.That(recent.Select(m => m.Query), Is.EqualTo(Enumerable.Range(16, 10).Select(i => "q" + i)));
            Assert.That(all.Select(m => m.Id), Is.EqualTo(Enumerable.Range(1, 25)));
        });
    }

    [Test]
    public async Task GetRecentAsync_CountIntMaxValue_ReturnsTheWholeSession()
    {
        var id = NewSessionId();
        for (var i = 1; i <= 12; i++)
        {
            await Store.AppendAsync(id, Turn("q" + i));
        }

        var all = await Store.GetRecentAsync(id, int.MaxValue);

        Assert.That(all.Select(m => m.Id), Is.EqualTo(Enumerable.Range(1, 12)));
    }

    [Test]
    public async Task RelevanceSelection_TwoInstancesOverTheStore_EachSeesTheOthersTurnsAndADelete()
    {
        // Two pipelines stand for two processes: each keeps its own in-process cache of the session's turns.
        var options = Microsoft.Extensions.Options.Options.Create(new DexterSessionsOptions { MaxContextMessages = 3, RollingSummary = false });
        var first = new SessionTurnPipeline(Store, options: options, timeProvider: Clock);
        var second = new SessionTurnPipeline(Store, options: options, timeProvider: Clock);
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("The spare key is under the blue flowerpot."));
        for (var i = 1; i <= 20; i++)
        {
            await Store.AppendAsync(id, Turn("Small talk number " + i));
        }

        var before = await first.ExplainContextAsync(id, "Where is the spare key?");
        await Store.AppendAsync(id, Turn("The bike lock code is 4312."));   // another instance records a turn
        var after = await first.ExplainContextAsync(id, "What is the bike lock code?");
        var other = await second.ExplainContextAsync(id, "Where is the spare key?");
        await Store.DeleteAsync(id);
        var deleted = await first.ExplainContextAsync(id, "Where is the spare key?");

        Assert.Multiple(() =>
        {
            Assert.That(before.Turns[0].TurnId, Is.EqualTo(1), "the oldest turn, found by its words");
            Assert.That(before.ConsideredTurns, Is.EqualTo(21));
            Assert.That(after.ConsideredTurns, Is.EqualTo(22));
            Assert.That(after.Turns.Single(t => t.TurnId == 22).Rank, Is.EqualTo(1));
            Assert.That(other.Turns.Select(t => t.TurnId), Does.Contain(1));
            Assert.That(deleted.ConsideredTurns, Is.Zero);
            Assert.That(deleted.Turns, Is.Empty);
        });
    }

    [Test]
    public async Task GetRecentAsync_UnknownSession_ReturnsEmpty()
    {
        Assert.That(await Store.GetRecentAsync(NewSessionId(), 10), Is.Empty);
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void GetRecentAsync_CountNotPositive_ThrowsArgumentOutOfRange(int count)
    {
        Assert.That(() => Store.GetRecentAsync(NewSessionId(), count), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task SetAsync_ReplacesTheHistory_AndLaterAppendsContinueTheIds()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("old"));
        var history = new MessageHistory();
        history.AddTurn("a", "A", "sa");
        history.AddTurn("b", "B", "sb");

        await Store.SetAsync(id, history);
        var appended = await Store.AppendAsync(id, Turn("c"));
        var read = (await Store.GetAsync(id))!;

        Assert.Multiple(() =>
        {
            Assert.That(read.GetAll().Select(m => (m.Id, m.Query)), Is.EqualTo(new[] { (1, "a"), (2, "b"), (3, "c") }));
            Assert.That(appended.Id, Is.EqualTo(3));
            Assert.That(read.GetById(2)!.Summary, Is.EqualTo("sb"));
        });
    }

    [Test]
    public async Task SetAsync_IdsNotInOrder_LaterAppendsContinueAfterTheHighest()
    {
        var id = NewSessionId();
        var history = new MessageHistory([Turn("five") with { Id = 5 }, Turn("two") with { Id = 2 }]);

        await Store.SetAsync(id, history);
        var appended = await Store.AppendAsync(id, Turn("next"));

        Assert.Multiple(async () =>
        {
            Assert.That(appended.Id, Is.EqualTo(6));
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(m => (m.Id, m.Query)), Is.EqualTo(new[] { (5, "five"), (2, "two"), (6, "next") }));
        });
    }

    [Test]
    public async Task SetAsync_EmptyHistory_LeavesAnExistingEmptySession()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("old"));

        await Store.SetAsync(id, new MessageHistory());

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.ExistsAsync(id), Is.True);
            Assert.That((await Store.GetAsync(id))!.Count, Is.Zero);
            Assert.That((await Store.AppendAsync(id, Turn("new"))).Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task DeleteAsync_RemovesTheSession_AndANewSessionOfTheSameIdStartsAtOne()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await Store.AppendAsync(id, Turn("q2"));

        var deleted = await Store.DeleteAsync(id);
        var deletedAgain = await Store.DeleteAsync(id);

        Assert.Multiple(async () =>
        {
            Assert.That(deleted, Is.True);
            Assert.That(deletedAgain, Is.False);
            Assert.That(await Store.ExistsAsync(id), Is.False);
            Assert.That(await Store.GetAsync(id), Is.Null);
            Assert.That(await Store.GetRecentAsync(id, 5), Is.Empty);
            Assert.That((await Store.AppendAsync(id, Turn("q3"))).Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task CreateAsync_NewId_CreatesAnEmptySessionWithItsOwner()
    {
        var id = NewSessionId();

        var created = await Store.CreateAsync(id, "alice");
        var metadata = await Store.GetMetadataAsync(id);

        Assert.Multiple(async () =>
        {
            Assert.That(created, Is.True);
            Assert.That(await Store.ExistsAsync(id), Is.True);
            Assert.That((await Store.GetAsync(id))!.Count, Is.Zero);
            Assert.That(metadata, Is.Not.Null);
            Assert.That(metadata!.Owner, Is.EqualTo("alice"));
            Assert.That(metadata.TurnCount, Is.Zero);
            Assert.That(metadata.SessionId, Is.EqualTo(id));
        });
    }

    [Test]
    public async Task CreateAsync_ExistingId_ReturnsFalseAndKeepsOwnerAndTurns()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id, "alice");
        await Store.AppendAsync(id, Turn("q1"));

        var created = await Store.CreateAsync(id, "mallory");
        var metadata = await Store.GetMetadataAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(created, Is.False);
            Assert.That(metadata!.Owner, Is.EqualTo("alice"));
            Assert.That(metadata.TurnCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task GetMetadataAsync_CountsTurnsAndTracksActivity()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await Store.AppendAsync(id, Turn("q2"));

        var metadata = await Store.GetMetadataAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(metadata!.TurnCount, Is.EqualTo(2));
            Assert.That(metadata.Owner, Is.Null);
            Assert.That(metadata.LastActivityAt, Is.GreaterThanOrEqualTo(metadata.CreatedAt));
        });
    }

    [Test]
    public async Task UpdateEmbeddingsAsync_StoresVectorsOnTheMatchingTurnsOnly()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await Store.AppendAsync(id, Turn("q2"));
        await Store.AppendAsync(id, Turn("q3"));

        await Store.UpdateEmbeddingsAsync(id,
        [
            Turn("ignored") with { Id = 1, Embedding = new float[] { 1, 2 } },
            Turn("ignored") with { Id = 3, Embedding = new float[] { 3, 4 } },
            Turn("ignored") with { Id = 99, Embedding = new float[] { 5, 6 } },
        ]);
        var turns = (await Store.GetAsync(id))!.GetAll();

        Assert.Multiple(() =>
        {
            Assert.That(turns, Has.Count.EqualTo(3));
            Assert.That(turns[0].Embedding.ToArray(), Is.EqualTo(new float[] { 1, 2 }));
            Assert.That(turns[1].Embedding.IsEmpty, Is.True);
            Assert.That(turns[2].Embedding.ToArray(), Is.EqualTo(new float[] { 3, 4 }));
            Assert.That(turns[0].Query, Is.EqualTo("q1"), "only the embedding changes");
        });
    }

    [Test]
    public async Task Sessions_AreIsolatedFromEachOther()
    {
        var a = NewSessionId();
        var b = NewSessionId();
        await Store.AppendAsync(a, Turn("a1"));
        await Store.AppendAsync(b, Turn("b1"));
        await Store.AppendAsync(a, Turn("a2"));

        await Store.DeleteAsync(b);

        Assert.Multiple(async () =>
        {
            Assert.That((await Store.GetAsync(a))!.GetAll().Select(m => (m.Id, m.Query)), Is.EqualTo(new[] { (1, "a1"), (2, "a2") }));
            Assert.That(await Store.ExistsAsync(b), Is.False);
        });
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase("has space")]
    [TestCase("{tag}")]
    [TestCase("a:b")]
    [TestCase("../etc")]
    [TestCase("é")]
    public void EveryMethod_InvalidSessionId_ThrowsArgumentException(string sessionId)
    {
        var turn = Turn("q");
        Assert.Multiple(() =>
        {
            Assert.That(() => Store.GetAsync(sessionId), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.SetAsync(sessionId, new MessageHistory()), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.DeleteAsync(sessionId), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.ExistsAsync(sessionId), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.CreateAsync(sessionId), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.GetMetadataAsync(sessionId), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.AppendAsync(sessionId, turn), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.GetRecentAsync(sessionId, 1), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.UpdateEmbeddingsAsync(sessionId, []), Throws.InstanceOf<ArgumentException>());
        });
    }

    [Test]
    public void EveryMethod_NullSessionId_ThrowsArgumentNullException()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Store.GetAsync(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("sessionId"));
            Assert.That(() => Store.AppendAsync(null!, Turn("q")), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("sessionId"));
        });
    }

    [Test]
    public void SessionId_TooLong_IsRejected_AndLongestAllowedIsAccepted()
    {
        Assert.Multiple(async () =>
        {
            Assert.That(() => Store.AppendAsync(new string('a', SessionId.MaxLength + 1), Turn("q")), Throws.InstanceOf<ArgumentException>());
            Assert.That((await Store.AppendAsync(new string('a', SessionId.MaxLength), Turn("q"))).Id, Is.EqualTo(1));
        });
    }

    [Test]
    public void AppendAsync_NullMessage_ThrowsArgumentNullException()
    {
        Assert.That(() => Store.AppendAsync(NewSessionId(), null!), Throws.ArgumentNullException);
    }

    [Test]
    public async Task AppendAsync_TurnWithChatMessages_KeepsFunctionCallsAndResults()
    {
        var id = NewSessionId();
        ChatMessage[] exchange =
        [
            new(ChatRole.User, "What does BTC cost?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call-1", "get_price", new Dictionary<string, object?> { ["symbol"] = "BTC" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call-1", "64000 USD")]),
            new(ChatRole.Assistant, "Bitcoin costs 64000 USD."),
        ];

        await Store.AppendAsync(id, Turn("What does BTC cost?", "Bitcoin costs 64000 USD.") with { ChatMessages = exchange });
        var read = (await Store.GetRecentAsync(id, 1)).Single();

        Assert.Multiple(() =>
        {
            Assert.That(read.ChatMessages.Select(m => m.Role), Is.EqualTo(exchange.Select(m => m.Role)));
            var call = read.ChatMessages[1].Contents.OfType<FunctionCallContent>().Single();
            Assert.That(call.CallId, Is.EqualTo("call-1"));
            Assert.That(call.Name, Is.EqualTo("get_price"));
            Assert.That(call.Arguments!["symbol"]?.ToString(), Is.EqualTo("BTC"));
            var result = read.ChatMessages[2].Contents.OfType<FunctionResultContent>().Single();
            Assert.That(result.CallId, Is.EqualTo("call-1"));
            Assert.That(result.Result?.ToString(), Is.EqualTo("64000 USD"));
            Assert.That(read.ChatMessages[3].Text, Is.EqualTo("Bitcoin costs 64000 USD."));
        });
    }

    [Test]
    public async Task Session_NoWriteForLongerThanTheTtl_IsGone()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));

        await AdvanceTimeAsync(SessionTtl + TimeSpan.FromMinutes(1));

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.ExistsAsync(id), Is.False);
            Assert.That(await Store.GetAsync(id), Is.Null);
            Assert.That(await Store.GetRecentAsync(id, 10), Is.Empty);
            Assert.That(await Store.GetMetadataAsync(id), Is.Null);
        });
    }

    [Test]
    public async Task AppendAsync_RefreshesTheTtl_SoAnActiveSessionLives()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await AdvanceTimeAsync(SessionTtl * 0.6);
        await Store.AppendAsync(id, Turn("q2"));
        await AdvanceTimeAsync(SessionTtl * 0.6);

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.ExistsAsync(id), Is.True);
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(m => m.Query), Is.EqualTo(new[] { "q1", "q2" }));
        });
    }

    [Test]
    public async Task CreateAsync_EmptySessionNotWrittenForLongerThanTheTtl_IsGone()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id, owner: "alice");

        await AdvanceTimeAsync(SessionTtl + TimeSpan.FromMinutes(1));

        Assert.That(await Store.ExistsAsync(id), Is.False);
    }

    [Test]
    public async Task AppendAsync_AfterExpiry_StartsANewSessionAtIdOne()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await Store.AppendAsync(id, Turn("q2"));
        await AdvanceTimeAsync(SessionTtl + TimeSpan.FromMinutes(1));

        var first = await Store.AppendAsync(id, Turn("again"));

        Assert.Multiple(async () =>
        {
            Assert.That(first.Id, Is.EqualTo(1));
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(m => m.Query), Is.EqualTo(new[] { "again" }));
        });
    }

    [Test]
    public async Task AppendAsync_CancelledToken_ThrowsAndRecordsNothing()
    {
        var id = NewSessionId();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        Assert.That(() => Store.AppendAsync(id, Turn("q"), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await Store.ExistsAsync(id), Is.False);
    }

    [Test]
    public async Task AppendAsync_ConcurrentWriters_LoseAndDuplicateNoTurn()
    {
        var id = NewSessionId();
        var tasks = Enumerable.Range(0, ConcurrentTasks).Select(t => Task.Run(async () =>
        {
            var ids = new List<int>(AppendsPerTask);
            for (var i = 0; i < AppendsPerTask; i++)
            {
                ids.Add((await Store.AppendAsync(id, Turn($"t{t}-{i}"))).Id);
            }

            return ids;
        })).ToArray();

        var assigned = (await Task.WhenAll(tasks)).SelectMany(ids => ids).OrderBy(i => i).ToArray();
        var stored = (await Store.GetAsync(id))!.GetAll();
        var total = ConcurrentTasks * AppendsPerTask;

        Assert.Multiple(() =>
        {
            Assert.That(assigned, Is.EqualTo(Enumerable.Range(1, total)), "ids handed out");
            Assert.That(stored.Select(m => m.Id), Is.EqualTo(Enumerable.Range(1, total)), "ids stored, in order");
            Assert.That(stored.Select(m => m.Query).Distinct().Count(), Is.EqualTo(total), "every turn kept once");
        });
    }

    [Test]
    public async Task AppendToExistingAsync_ExistingSession_AppendsWithTheNextId()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id);
        var first = await Store.AppendToExistingAsync(id, Turn("q1"));
        var second = await Store.AppendToExistingAsync(id, Turn("q2"));

        Assert.Multiple(async () =>
        {
            Assert.That(first?.Id, Is.EqualTo(1));
            Assert.That(second?.Id, Is.EqualTo(2));
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(m => m.Query), Is.EqualTo(new[] { "q1", "q2" }));
        });
    }

    [Test]
    public async Task AppendToExistingAsync_SessionDeleted_RecordsNothingAndTheSessionStaysDeleted()
    {
        var id = NewSessionId();
        var never = NewSessionId();
        await Store.AppendAsync(id, Turn("before"));
        await Store.DeleteAsync(id);

        var afterDelete = await Store.AppendToExistingAsync(id, Turn("in flight"));
        var neverCreated = await Store.AppendToExistingAsync(never, Turn("in flight"));

        Assert.Multiple(async () =>
        {
            Assert.That(afterDelete, Is.Null, "the delete wins");
            Assert.That(neverCreated, Is.Null, "a session that never existed is not created");
            Assert.That(await Store.ExistsAsync(id), Is.False);
            Assert.That(await Store.GetAsync(id), Is.Null);
            Assert.That(await Store.ExistsAsync(never), Is.False);
        });
    }

    [Test]
    public async Task AppendToExistingAsync_SessionExpired_RecordsNothing()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("before"));
        await AdvanceTimeAsync(SessionTtl + TimeSpan.FromMinutes(1));

        var recorded = await Store.AppendToExistingAsync(id, Turn("late"));

        Assert.Multiple(async () =>
        {
            Assert.That(recorded, Is.Null);
            Assert.That(await Store.ExistsAsync(id), Is.False);
        });
    }

    [Test]
    public async Task AppendToExistingAsync_RacingADelete_TheDeleteWins_AndNoAcknowledgedTurnIsLostBeforeIt()
    {
        // Writers append to a live session while a delete lands among them: once the delete has run, no append brings the
        // session back, and every append acknowledged before it was a real turn with a unique id.
        for (var round = 0; round < 5; round++)
        {
            var id = NewSessionId();
            await Store.AppendAsync(id, Turn("first"));
            using var start = new SemaphoreSlim(0);
            var writers = Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
            {
                await start.WaitAsync();
                var ids = new List<int>();
                for (var i = 0; i < 25; i++)
                {
                    if (await Store.AppendToExistingAsync(id, Turn($"t{t}-{i}")) is { } recorded)
                    {
                        ids.Add(recorded.Id);
                    }
                }

                return ids;
            })).ToArray();
            var delete = Task.Run(async () =>
            {
                await start.WaitAsync();
                await Task.Yield();
                return await Store.DeleteAsync(id);
            });
            start.Release(5);

            var acknowledged = (await Task.WhenAll(writers)).SelectMany(ids => ids).ToArray();
            var deleted = await delete;

            Assert.Multiple(async () =>
            {
                Assert.That(deleted, Is.True, $"round {round}: the delete found the session");
                Assert.That(await Store.ExistsAsync(id), Is.False, $"round {round}: no append recreated the deleted session");
                Assert.That(await Store.GetRecentAsync(id, 10), Is.Empty, $"round {round}");
                Assert.That(acknowledged, Is.Unique, $"round {round}: no id handed out twice");
                Assert.That(acknowledged, Has.All.GreaterThan(1), $"round {round}");
            });
        }
    }

    protected static SessionSummary Summary(string text, int throughTurnId) =>
        new(text, throughTurnId, new DateTimeOffset(2026, 11, 24, 13, 14, 15, TimeSpan.FromHours(2)).AddTicks(1234567 + throughTurnId));

    [Test]
    public async Task GetSummaryAsync_UnknownSession_ReturnsNull()
    {
        Assert.That(await Store.GetSummaryAsync(NewSessionId()), Is.Null);
    }

    [Test]
    public async Task GetSummaryAsync_SessionWithoutSummary_ReturnsNull()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id, owner: "alice");
        await Store.AppendAsync(id, Turn("q1"));

        Assert.That(await Store.GetSummaryAsync(id), Is.Null);
    }

    [Test]
    public async Task TrySetSummaryAsync_FirstSummaryExpectingNone_StoresItAndReadsBackEqual()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await Store.AppendAsync(id, Turn("q2"));
        var summary = Summary("The user asked about q1 and q2.", 2);

        var stored = await Store.TrySetSummaryAsync(id, summary, expectedThroughTurnId: 0);
        var read = await Store.GetSummaryAsync(id);

        Assert.Multiple(async () =>
        {
            Assert.That(stored, Is.True);
            Assert.That(read, Is.EqualTo(summary));
            Assert.That(read!.UpdatedAt.Offset, Is.EqualTo(summary.UpdatedAt.Offset));
            Assert.That(read.UpdatedAt.Ticks, Is.EqualTo(summary.UpdatedAt.Ticks));
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(m => m.Query), Is.EqualTo(new[] { "q1", "q2" }), "the turns are left as they were");
        });
    }

    [Test]
    public async Task TrySetSummaryAsync_ExpectingTheCurrentSummary_ReplacesIt()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id);
        Assert.That(await Store.TrySetSummaryAsync(id, Summary("first", 2), 0), Is.True);

        var stored = await Store.TrySetSummaryAsync(id, Summary("second", 5), 2);

        Assert.Multiple(async () =>
        {
            Assert.That(stored, Is.True);
            Assert.That(await Store.GetSummaryAsync(id), Is.EqualTo(Summary("second", 5)));
        });
    }

    [Test]
    public async Task TrySetSummaryAsync_StaleExpectedTurnId_ReturnsFalseAndChangesNothing()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id);
        await Store.TrySetSummaryAsync(id, Summary("through 4", 4), 0);

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.TrySetSummaryAsync(id, Summary("from none", 6), 0), Is.False, "expected none");
            Assert.That(await Store.TrySetSummaryAsync(id, Summary("from 2", 6), 2), Is.False, "expected an older one");
            Assert.That(await Store.TrySetSummaryAsync(id, Summary("from 5", 6), 5), Is.False, "expected a newer one");
            Assert.That(await Store.GetSummaryAsync(id), Is.EqualTo(Summary("through 4", 4)));
        });
    }

    [Test]
    public async Task TrySetSummaryAsync_ThroughTurnIdNotGreaterThanExpected_ReturnsFalseAndChangesNothing()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id);
        await Store.TrySetSummaryAsync(id, Summary("through 4", 4), 0);

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.TrySetSummaryAsync(id, Summary("same", 4), 4), Is.False, "equal");
            Assert.That(await Store.TrySetSummaryAsync(id, Summary("older", 3), 4), Is.False, "smaller");
            Assert.That(await Store.GetSummaryAsync(id), Is.EqualTo(Summary("through 4", 4)));
        });
    }

    [Test]
    public async Task TrySetSummaryAsync_UnknownSession_ReturnsFalseAndCreatesNothing()
    {
        var id = NewSessionId();

        var stored = await Store.TrySetSummaryAsync(id, Summary("orphan", 1), 0);

        Assert.Multiple(async () =>
        {
            Assert.That(stored, Is.False);
            Assert.That(await Store.ExistsAsync(id), Is.False);
            Assert.That(await Store.GetSummaryAsync(id), Is.Null);
        });
    }

    [Test]
    public async Task TrySetSummaryAsync_ConcurrentUpdatesFromTheSameSummary_ExactlyOneWins()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id);
        await Store.TrySetSummaryAsync(id, Summary("base", 3), 0);
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await Store.TrySetSummaryAsync(id, Summary("writer " + i, 4 + i), 3);
        })).ToArray();

        start.Set();
        var results = await Task.WhenAll(tasks);
        var read = await Store.GetSummaryAsync(id);

        Assert.That(results.Count(r => r), Is.EqualTo(1));
        var winner = Array.IndexOf(results, true);
        Assert.That(read, Is.EqualTo(Summary("writer " + winner, 4 + winner)));
    }

    [Test]
    public async Task DeleteAsync_RemovesTheSummary_AndANewSessionOfTheSameIdHasNone()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await Store.TrySetSummaryAsync(id, Summary("s", 1), 0);

        await Store.DeleteAsync(id);
        var afterDelete = await Store.GetSummaryAsync(id);
        await Store.AppendAsync(id, Turn("again"));

        Assert.Multiple(async () =>
        {
            Assert.That(afterDelete, Is.Null);
            Assert.That(await Store.GetSummaryAsync(id), Is.Null);
            Assert.That(await Store.TrySetSummaryAsync(id, Summary("new", 1), 0), Is.True, "the new session starts without one");
        });
    }

    [Test]
    public async Task SetAsync_ReplacingTheHistory_ClearsTheSummary()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await Store.AppendAsync(id, Turn("q2"));
        await Store.TrySetSummaryAsync(id, Summary("s", 2), 0);

        var history = new MessageHistory();
        history.AddTurn("other", "O", "so");
        await Store.SetAsync(id, history);

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.GetSummaryAsync(id), Is.Null);
            Assert.That(await Store.TrySetSummaryAsync(id, Summary("again", 1), 0), Is.True);
        });
    }

    [Test]
    public async Task CreateAsync_ExistingSessionWithASummary_KeepsIt()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id);
        await Store.TrySetSummaryAsync(id, Summary("s", 1), 0);

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.CreateAsync(id), Is.False);
            Assert.That(await Store.GetSummaryAsync(id), Is.EqualTo(Summary("s", 1)));
        });
    }

    [Test]
    public async Task Summary_NoWriteForLongerThanTheTtl_IsGoneWithTheSession()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await Store.TrySetSummaryAsync(id, Summary("s", 1), 0);

        await AdvanceTimeAsync(SessionTtl + TimeSpan.FromMinutes(1));
        var expired = await Store.GetSummaryAsync(id);
        var setOnExpired = await Store.TrySetSummaryAsync(id, Summary("late", 2), 1);
        await Store.AppendAsync(id, Turn("again"));

        Assert.Multiple(async () =>
        {
            Assert.That(expired, Is.Null);
            Assert.That(setOnExpired, Is.False);
            Assert.That(await Store.GetSummaryAsync(id), Is.Null, "the new session of the same id starts without one");
        });
    }

    [Test]
    public async Task TrySetSummaryAsync_RefreshesTheTtl_SoTheSessionLives()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await AdvanceTimeAsync(SessionTtl * 0.6);
        Assert.That(await Store.TrySetSummaryAsync(id, Summary("s", 1), 0), Is.True);
        await AdvanceTimeAsync(SessionTtl * 0.6);

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.ExistsAsync(id), Is.True);
            Assert.That(await Store.GetSummaryAsync(id), Is.EqualTo(Summary("s", 1)));
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(m => m.Query), Is.EqualTo(new[] { "q1" }));
        });
    }

    [Test]
    public async Task TrySetSummaryAsync_UnicodeAndLongText_RoundTripsExactly()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id);
        var unicode = "Wie geht's? 你好 — \"quoted\" \\ {braces} 😀\n\ttab \u0001 ✓ '; DROP TABLE x; --";
        var text = string.Concat(Enumerable.Repeat(unicode, 20_000 / unicode.Length + 1))[..20_000];
        var summary = Summary(text, 7);

        await Store.TrySetSummaryAsync(id, summary, 0);
        var read = await Store.GetSummaryAsync(id);

        Assert.Multiple(() =>
        {
            Assert.That(read!.Text, Has.Length.EqualTo(20_000));
            Assert.That(read.Text, Is.EqualTo(text));
            Assert.That(read, Is.EqualTo(summary));
            Assert.That(read.UpdatedAt.Offset, Is.EqualTo(summary.UpdatedAt.Offset));
        });
    }

    [Test]
    public async Task TrySetSummaryAsync_EmptyText_RoundTrips()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id);

        Assert.That(await Store.TrySetSummaryAsync(id, Summary(string.Empty, 1), 0), Is.True);
        Assert.That(await Store.GetSummaryAsync(id), Is.EqualTo(Summary(string.Empty, 1)));
    }

    [Test]
    public async Task TrySetSummaryAsync_InvalidArguments_ThrowArgumentExceptions()
    {
        var id = NewSessionId();
        await Store.CreateAsync(id);

        Assert.Multiple(async () =>
        {
            Assert.That(() => Store.TrySetSummaryAsync("not a valid id!", Summary("s", 1), 0), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.TrySetSummaryAsync(id, null!, 0), Throws.InstanceOf<ArgumentNullException>());
            Assert.That(() => Store.TrySetSummaryAsync(id, Summary("s", 0), 0), Throws.InstanceOf<ArgumentException>().With.Message.Contains("ThroughTurnId"));
            Assert.That(() => Store.TrySetSummaryAsync(id, Summary("s", 1), -1), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => Store.TrySetSummaryAsync(id, Summary(null!, 1), 0), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.GetSummaryAsync("not a valid id!"), Throws.InstanceOf<ArgumentException>());
            Assert.That(await Store.GetSummaryAsync(id), Is.Null, "nothing was stored");
        });
    }

    private static object Snapshot(Message turn) => new
    {
        turn.Id,
        turn.Query,
        turn.Answer,
        turn.CreatedAt,
        turn.InputTokenCount,
        turn.OutputTokenCount,
        turn.ResponseTime,
        turn.TokenCount,
        turn.SummarizerFellBack,
        turn.SelectorFellBack,
        turn.Interrupted,
        Embedding = string.Join(",", turn.Embedding.ToArray()),
        ChatMessages = string.Join("|", turn.ChatMessages.Select(m => m.Role + ":" + m.Text + ":" + string.Join(",", m.Contents.Select(c => c.GetType().Name)))),
    };

    [Test]
    public async Task UpdateTurnSummaryAsync_ReplacesTheTurnsSummaryAndNothingElse()
    {
        var id = NewSessionId();
        ChatMessage[] exchange =
        [
            new(ChatRole.User, "q2"),
            new(ChatRole.Assistant, [new FunctionCallContent("call-1", "get_price", new Dictionary<string, object?> { ["symbol"] = "BTC" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call-1", "64000 USD")]),
            new(ChatRole.Assistant, "a2"),
        ];
        await Store.AppendAsync(id, Turn("q1", "a1", "s1"));
        await Store.AppendAsync(id, Turn("q2", "a2", "s2") with
        {
            InputTokenCount = 11,
            OutputTokenCount = 7,
            ResponseTime = TimeSpan.FromMilliseconds(1234),
            TokenCount = 18,
            SummarizerFellBack = true,
            SelectorFellBack = true,
            Interrupted = true,
            Embedding = new float[] { 0.5f, -1.25f, 3 },
            ChatMessages = exchange,
        });
        await Store.AppendAsync(id, Turn("q3", "a3", "s3"));
        await Store.TrySetSummaryAsync(id, Summary("rolling", 1), 0);
        var before = (await Store.GetAsync(id))!.GetAll();
        var metadataBefore = await Store.GetMetadataAsync(id);
        await AdvanceTimeAsync(TimeSpan.FromMinutes(5));

        var updated = await Store.UpdateTurnSummaryAsync(id, 2, "The user asked what BTC costs; the price tool said 64000 USD.");
        var after = (await Store.GetAsync(id))!.GetAll();
        var recent = (await Store.GetRecentAsync(id, 2))[0];
        var metadataAfter = await Store.GetMetadataAsync(id);

        Assert.Multiple(async () =>
        {
            Assert.That(updated, Is.True);
            Assert.That(after.Select(t => t.Summary), Is.EqualTo(new[] { "s1", "The user asked what BTC costs; the price tool said 64000 USD.", "s3" }));
            Assert.That(recent.Summary, Is.EqualTo("The user asked what BTC costs; the price tool said 64000 USD."), "the tail read sees it too");
            Assert.That(after.Select(Snapshot), Is.EqualTo(before.Select(Snapshot)), "every other field of every turn is unchanged");
            Assert.That(metadataAfter!.TurnCount, Is.EqualTo(metadataBefore!.TurnCount));
            Assert.That(metadataAfter.LastActivityAt, Is.EqualTo(metadataBefore.LastActivityAt), "not counted as activity");
            Assert.That(await Store.GetSummaryAsync(id), Is.EqualTo(Summary("rolling", 1)), "the rolling summary is unchanged");
            Assert.That((await Store.AppendAsync(id, Turn("q4"))).Id, Is.EqualTo(4), "ids continue");
        });
    }

    [Test]
    public async Task UpdateTurnSummaryAsync_DoesNotRefreshTheTtl()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await AdvanceTimeAsync(SessionTtl * 0.6);

        Assert.That(await Store.UpdateTurnSummaryAsync(id, 1, "late summary"), Is.True);
        await AdvanceTimeAsync(SessionTtl * 0.6);

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.ExistsAsync(id), Is.False, "the session expired from its last append");
            Assert.That(await Store.UpdateTurnSummaryAsync(id, 1, "too late"), Is.False, "an expired session has no turns to update");
        });
    }

    [Test]
    public async Task UpdateTurnSummaryAsync_UnknownSessionOrTurn_ReturnsFalseAndCreatesNothing()
    {
        var id = NewSessionId();
        var unknown = NewSessionId();
        await Store.AppendAsync(id, Turn("q1", summary: "s1"));
        await Store.CreateAsync(NewSessionId());

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.UpdateTurnSummaryAsync(unknown, 1, "orphan"), Is.False, "unknown session");
            Assert.That(await Store.ExistsAsync(unknown), Is.False, "no session was created");
            Assert.That(await Store.UpdateTurnSummaryAsync(id, 2, "no such turn"), Is.False, "unknown turn");
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(t => (t.Id, t.Summary)), Is.EqualTo(new[] { (1, "s1") }));
        });
    }

    [Test]
    public async Task UpdateTurnSummaryAsync_DeletedSession_ReturnsFalse()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1"));
        await Store.DeleteAsync(id);

        Assert.Multiple(async () =>
        {
            Assert.That(await Store.UpdateTurnSummaryAsync(id, 1, "after delete"), Is.False);
            Assert.That(await Store.ExistsAsync(id), Is.False);
        });
    }

    [Test]
    public async Task UpdateTurnSummaryAsync_InvalidArguments_ThrowArgumentExceptions()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1", summary: "s1"));

        Assert.Multiple(async () =>
        {
            Assert.That(() => Store.UpdateTurnSummaryAsync("not a valid id!", 1, "s"), Throws.InstanceOf<ArgumentException>());
            Assert.That(() => Store.UpdateTurnSummaryAsync(null!, 1, "s"), Throws.ArgumentNullException);
            Assert.That(() => Store.UpdateTurnSummaryAsync(id, 0, "s"), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => Store.UpdateTurnSummaryAsync(id, -3, "s"), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => Store.UpdateTurnSummaryAsync(id, 1, null!), Throws.ArgumentNullException);
            Assert.That(() => Store.UpdateTurnSummaryAsync(id, 1, string.Empty), Throws.InstanceOf<ArgumentException>());
            Assert.That((await Store.GetAsync(id))!.GetAll().Single().Summary, Is.EqualTo("s1"), "nothing was changed");
        });
    }

    [Test]
    public async Task UpdateTurnSummaryAsync_ConcurrentWithAppendsAndEmbeddingUpdates_LosesNothing()
    {
        const int Existing = 20;
        const int Appended = 40;
        var id = NewSessionId();
        for (var i = 1; i <= Existing; i++)
        {
            await Store.AppendAsync(id, Turn("q" + i, summary: "old"));
        }

        using var start = new ManualResetEventSlim();
        var appends = Task.Run(async () =>
        {
            start.Wait();
            for (var i = 1; i <= Appended; i++)
            {
                await Store.AppendAsync(id, Turn("new" + i, summary: "fresh"));
            }
        });
        var summaries = Task.Run(async () =>
        {
            start.Wait();
            var results = new List<bool>();
            for (var turnId = 1; turnId <= Existing; turnId++)
            {
                results.Add(await Store.UpdateTurnSummaryAsync(id, turnId, "summary of " + turnId));
            }

            return results;
        });
        var embeddings = Task.Run(async () =>
        {
            start.Wait();
            for (var turnId = 1; turnId <= Existing; turnId++)
            {
                await Store.UpdateEmbeddingsAsync(id, [Turn("ignored") with { Id = turnId, Embedding = new float[] { turnId, -turnId } }]);
            }
        });

        start.Set();
        await Task.WhenAll(appends, summaries, embeddings);
        var turns = (await Store.GetAsync(id))!.GetAll();

        Assert.Multiple(async () =>
        {
            Assert.That(await summaries, Has.All.True);
            Assert.That(turns.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, Existing + Appended)), "every append kept, in order");
            Assert.That(turns.Take(Existing).Select(t => t.Summary), Is.EqualTo(Enumerable.Range(1, Existing).Select(i => "summary of " + i)), "every summary kept");
            Assert.That(turns.Take(Existing).Select(t => string.Join(",", t.Embedding.ToArray())), Is.EqualTo(Enumerable.Range(1, Existing).Select(i => $"{i},{-i}")), "every embedding kept");
            Assert.That(turns.Take(Existing).Select(t => t.Query), Is.EqualTo(Enumerable.Range(1, Existing).Select(i => "q" + i)));
            Assert.That(turns.Skip(Existing).Select(t => (t.Query, t.Summary)), Is.EqualTo(Enumerable.Range(1, Appended).Select(i => ("new" + i, "fresh"))));
        });
    }

    [Test]
    public async Task UpdateTurnsAsync_ReplacesTheGivenTurnsWithTheirUpdate_SkipsUnknownOnes_AndIsNotActivity()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1", "a1", "s1"));
        await Store.AppendAsync(id, Turn("q2", "a2", "s2") with { InputTokenCount = 5 });
        await Store.AppendAsync(id, Turn("q3", "a3", "s3"));
        var metadataBefore = await Store.GetMetadataAsync(id);
        await AdvanceTimeAsync(TimeSpan.FromMinutes(5));

        var updated = await Store.UpdateTurnsAsync(id, [2, 3, 9], turn => turn with { Answer = turn.Answer + "!", Embedding = new float[] { turn.Id, 7 } });
        var after = (await Store.GetAsync(id))!.GetAll();

        Assert.Multiple(async () =>
        {
            Assert.That(updated, Is.EqualTo(2), "turn 9 does not exist");
            Assert.That(after.Select(t => t.Answer), Is.EqualTo(new[] { "a1", "a2!", "a3!" }));
            Assert.That(after.Select(t => string.Join(",", t.Embedding.ToArray())), Is.EqualTo(new[] { string.Empty, "2,7", "3,7" }));
            Assert.That(after.Select(t => (t.Query, t.Summary, t.InputTokenCount)), Is.EqualTo(new[] { ("q1", "s1", (long?)null), ("q2", "s2", 5), ("q3", "s3", null) }));
            Assert.That((await Store.GetMetadataAsync(id))!.LastActivityAt, Is.EqualTo(metadataBefore!.LastActivityAt), "not counted as activity");
            Assert.That(await Store.UpdateTurnsAsync(NewSessionId(), [1], turn => turn), Is.Zero, "unknown session");
        });
    }

    [Test]
    public async Task UpdateTurnsAsync_UpdateThatChangesTheId_ThrowsAndChangesNothing()
    {
        var id = NewSessionId();
        await Store.AppendAsync(id, Turn("q1", "a1"));

        Assert.Multiple(async () =>
        {
            Assert.That(() => Store.UpdateTurnsAsync(id, [1], turn => turn with { Id = 2, Answer = "moved" }), Throws.InvalidOperationException);
            Assert.That(() => Store.UpdateTurnsAsync(id, [0], turn => turn), Throws.InstanceOf<ArgumentException>());
            Assert.That((await Store.GetAsync(id))!.GetAll().Select(t => (t.Id, t.Answer)), Is.EqualTo(new[] { (1, "a1") }));
        });
    }

    private static ValueTask Dispose(IDisposable disposable)
    {
        disposable.Dispose();
        return ValueTask.CompletedTask;
    }
}
