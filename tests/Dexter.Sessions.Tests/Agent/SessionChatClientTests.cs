using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Agent;

public sealed class SessionChatClientTests
{
    private FakeChatClient _model = null!;
    private InMemorySessionStore _store = null!;
    private IChatClient _client = null!;
    private string _sessionId = null!;

    [SetUp]
    public void SetUp()
    {
        _model = new FakeChatClient();
        _store = new InMemorySessionStore();
        _client = _model.AsBuilder().UseDexterSessions(_store).Build();
        _sessionId = SessionId.New();
    }

    [TearDown]
    public void TearDown()
    {
        _client.Dispose();
        _store.Dispose();
        _model.Dispose();
    }

    private ChatOptions Session() => new() { ConversationId = _sessionId };

    private static async Task<List<ChatResponseUpdate>> Collect(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }

    [Test]
    public async Task GetResponseAsync_WithConversationId_InjectsContextAndRecordsTheTurn()
    {
        var first = await _client.GetResponseAsync("What is Bitcoin?", Session());
        var second = await _client.GetResponseAsync("Why is it valuable?", Session());

        var requests = _model.Requests;
        var stored = (await _store.GetAsync(_sessionId))!.GetAll();
        Assert.Multiple(() =>
        {
            Assert.That(requests[0].Select(m => (m.Role, m.Text)), Is.EqualTo(new[] { (ChatRole.User, "What is Bitcoin?") }));
            Assert.That(requests[1].Select(m => m.Role), Is.EqualTo(new[] { ChatRole.System, ChatRole.User }));
            Assert.That(requests[1][0].Text, Is.EqualTo(
                "## Previous Conversation Context\n\n**Turn 1:**\n- User: What is Bitcoin?\n- Agent: Answer to: What is Bitcoin?\n\n---\n"));
            Assert.That(stored.Select(m => (m.Id, m.Query, m.Answer)), Is.EqualTo(new[]
            {
                (1, "What is Bitcoin?", "Answer to: What is Bitcoin?"),
                (2, "Why is it valuable?", "Answer to: Why is it valuable?"),
            }));
            Assert.That(stored[0].Summary, Is.EqualTo("What is Bitcoin? → Answer to: What is Bitcoin?"));
            Assert.That(stored[0].InputTokenCount, Is.EqualTo(10));
            Assert.That(first.ConversationId, Is.EqualTo(_sessionId));
            Assert.That(first.AdditionalProperties![SessionChatClient.MessageIdPropertyName], Is.EqualTo(1));
            Assert.That(second.AdditionalProperties![SessionChatClient.MessageIdPropertyName], Is.EqualTo(2));
            Assert.That(SessionChatClient.MessageIdPropertyName, Is.EqualTo("dexter.message_id"));
        });
    }

    [Test]
    public async Task GetResponseAsync_WithConversationId_RemovesItFromTheOptionsPassedOn_AndKeepsTheRest()
    {
        var options = new ChatOptions { ConversationId = _sessionId, Temperature = 0.25f, ModelId = "m" };

        await _client.GetResponseAsync("q", options);

        Assert.Multiple(() =>
        {
            Assert.That(_model.LastOptions, Is.Not.Null);
            Assert.That(_model.LastOptions!.ConversationId, Is.Null);
            Assert.That(_model.LastOptions.Temperature, Is.EqualTo(0.25f));
            Assert.That(_model.LastOptions.ModelId, Is.EqualTo("m"));
            Assert.That(options.ConversationId, Is.EqualTo(_sessionId), "the caller's options are not changed");
        });
    }

    [Test]
    public async Task GetResponseAsync_QueryIsTheLastUserMessage_AndTheCallersMessagesFollowTheContext()
    {
        await _client.GetResponseAsync("earlier", Session());
        ChatMessage[] conversation =
        [
            new(ChatRole.System, "Be brief."),
            new(ChatRole.User, "old question"),
            new(ChatRole.Assistant, "old answer"),
            new(ChatRole.User, "new question"),
        ];

        await _client.GetResponseAsync(conversation, Session());

        var request = _model.Requests[1];
        Assert.Multiple(async () =>
        {
            Assert.That(request[0].Text, Does.StartWith(TextContextFormat.Header));
            Assert.That(request.Skip(1).Select(m => m.Text), Is.EqualTo(conversation.Select(m => m.Text)));
            Assert.That((await _store.GetAsync(_sessionId))!.Last()!.Query, Is.EqualTo("new question"));
        });
    }

    [Test]
    public async Task GetResponseAsync_NoConversationId_PassesThroughAndRecordsNothing()
    {
        var options = new ChatOptions { Temperature = 0.5f };

        var response = await _client.GetResponseAsync("q", options);
        await _client.GetResponseAsync("q2");

        Assert.Multiple(() =>
        {
            Assert.That(_model.Requests[0].Select(m => m.Text), Is.EqualTo(new[] { "q" }));
            Assert.That(_model.Requests[1].Select(m => m.Text), Is.EqualTo(new[] { "q2" }));
            Assert.That(_store.Count, Is.Zero);
            Assert.That(response.AdditionalProperties?.ContainsKey(SessionChatClient.MessageIdPropertyName) ?? false, Is.False);
            Assert.That(response.ConversationId, Is.Null);
        });
    }

    [Test]
    public async Task GetResponseAsync_NoUserMessage_PassesThroughAndRecordsNothing()
    {
        await _client.GetResponseAsync([new ChatMessage(ChatRole.System, "only instructions")], Session());

        Assert.Multiple(() =>
        {
            Assert.That(_model.Requests.Single().Select(m => m.Text), Is.EqualTo(new[] { "only instructions" }));
            Assert.That(_store.Count, Is.Zero);
        });
    }

    [TestCase("thread:42")]
    [TestCase("user@tenant/chat")]
    [TestCase("{3F2504E0-4F89-11D3-9A0C-0305E82C3301}")]
    [TestCase("bad id")]
    [TestCase("cid_looks-like-a-mapped-key")]
    public async Task GetResponseAsync_AnyConversationId_RecordsUnderItsMappedKey_AndEchoesTheId(string conversationId)
    {
        var options = new ChatOptions { ConversationId = conversationId };

        var first = await _client.GetResponseAsync("q1", options);
        var second = await _client.GetResponseAsync("q2", options);

        var history = await _store.GetAsync(SessionId.FromConversationId(conversationId));
        Assert.Multiple(() =>
        {
            Assert.That(first.ConversationId, Is.EqualTo(conversationId));
            Assert.That(second.ConversationId, Is.EqualTo(conversationId));
            Assert.That(history!.GetAll().Select(m => m.Query), Is.EqualTo(new[] { "q1", "q2" }));
            Assert.That(_model.Requests[1][0].Text, Does.Contain("q1"), "the second call got the first turn as context");
            Assert.That(_model.LastOptions?.ConversationId, Is.Null, "the inner client never sees the conversation id");
        });
    }

    [Test]
    public void GetResponseAsync_BlankQueryWithConversationId_ThrowsArgumentException()
    {
        Assert.That(() => _client.GetResponseAsync("  ", Session()), Throws.ArgumentException.With.Property("ParamName").EqualTo("query"));
    }

    [Test]
    public async Task GetResponseAsync_InnerClientFails_ThrowsAndRecordsNothing()
    {
        _model.OnGetResponse = (_, _, _) => throw new InvalidOperationException("boom");

        Assert.ThrowsAsync<InvalidOperationException>(() => _client.GetResponseAsync("q", Session()));

        Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
    }

    [Test]
    public async Task GetResponseAsync_InnerClientTimesOutWithTaskCanceled_IsLoggedAsAFailure()
    {
        var logger = new CollectingLogger<SessionChatClient>();
        using var client = new SessionChatClient(_model, _store, logger: logger);
        _model.OnGetResponse = (_, _, _) => Task.FromException<ChatResponse>(new TaskCanceledException("HttpClient.Timeout", new TimeoutException()));

        Assert.That(() => client.GetResponseAsync("q", Session()), Throws.InstanceOf<TaskCanceledException>());

        Assert.Multiple(async () =>
        {
            Assert.That(logger.Entries.Select(e => e.EventId.Id), Does.Contain(1003).And.Not.Contain(1002));
            Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
        });
    }

    [Test]
    public async Task GetResponseAsync_Cancelled_ThrowsAndRecordsNothing()
    {
        using var cts = new CancellationTokenSource();
        _model.OnGetResponse = async (_, _, token) =>
        {
            await cts.CancelAsync();
            await Task.Delay(Timeout.Infinite, token);
            return new ChatResponse();
        };

        Assert.That(() => _client.GetResponseAsync("q", Session(), cts.Token), Throws.InstanceOf<OperationCanceledException>());

        Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
    }

    [Test]
    public async Task GetStreamingResponseAsync_WithConversationId_RecordsAfterTheStream_AndEndsWithTheMessageId()
    {
        await _client.GetResponseAsync("What is Bitcoin?", Session());
        var existedDuringModelUpdates = new List<bool>();
        var updates = new List<ChatResponseUpdate>();

        await foreach (var update in _client.GetStreamingResponseAsync("Why is it valuable?", Session()))
        {
            updates.Add(update);
            if (update.Text.Length > 0)
            {
                existedDuringModelUpdates.Add((await _store.GetAsync(_sessionId))!.Count == 2);
            }
        }

        var last = updates[^1];
        var stored = (await _store.GetAsync(_sessionId))!.GetAll();
        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("Answer to: Why is it valuable?"));
            Assert.That(existedDuringModelUpdates, Is.Not.Empty.And.All.False, "the turn is recorded only after the stream");
            Assert.That(last.ConversationId, Is.EqualTo(_sessionId), "the last update carries the conversation id");
            Assert.That(updates.ToChatResponse().ConversationId, Is.EqualTo(_sessionId));
            Assert.That(last.Text, Is.Empty);
            Assert.That(last.AdditionalProperties![SessionChatClient.MessageIdPropertyName], Is.EqualTo(2));
            Assert.That(updates.Count(u => u.AdditionalProperties?.ContainsKey(SessionChatClient.MessageIdPropertyName) == true), Is.EqualTo(1));
            Assert.That(stored[1].Answer, Is.EqualTo("Answer to: Why is it valuable?"));
            Assert.That(_model.Requests[1][0].Text, Does.Contain("- User: What is Bitcoin?"));
            Assert.That(_model.LastOptions!.ConversationId, Is.Null);
        });
    }

    [Test]
    public async Task GetStreamingResponseAsync_NoConversationId_PassesThroughAndRecordsNothing()
    {
        var updates = await Collect(_client.GetStreamingResponseAsync("one two"));

        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("Answer to: one two"));
            Assert.That(updates.Any(u => u.AdditionalProperties?.ContainsKey(SessionChatClient.MessageIdPropertyName) == true), Is.False);
            Assert.That(_store.Count, Is.Zero);
        });
    }

    [Test]
    public async Task GetStreamingResponseAsync_InnerStreamFails_ThrowsAndRecordsNothing()
    {
        async IAsyncEnumerable<ChatResponseUpdate> Failing()
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
            throw new InvalidOperationException("reset");
        }

        _model.OnGetStreamingResponse = (_, _, _) => Failing();

        Assert.ThrowsAsync<InvalidOperationException>(() => Collect(_client.GetStreamingResponseAsync("q", Session())));

        Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
    }

    /// <summary>The one turn a stopped call left: its partial answer, marked interrupted.</summary>
    private static async Task<Message> StoppedTurnAsync(ISessionStore store, string sessionId)
    {
        var turn = (await store.GetAsync(sessionId))!.GetAll().Single();
        Assert.That(turn.Interrupted, Is.True);
        return turn;
    }

    [Test]
    public async Task GetStreamingResponseAsync_ConsumerStopsEarly_KeepsWhatWasStreamed_MarkedInterrupted()
    {
        await foreach (var update in _client.GetStreamingResponseAsync("one two three", Session()))
        {
            break;
        }

        var turn = await StoppedTurnAsync(_store, _sessionId);
        Assert.Multiple(() =>
        {
            Assert.That(turn.Query, Is.EqualTo("one two three"));
            Assert.That(turn.Answer, Is.Not.Empty.And.EqualTo(turn.ChatMessages[^1].Text), "the text streamed before the stop");
            Assert.That(FakeChatClient.DefaultAnswer([new ChatMessage(ChatRole.User, "one two three")]), Does.StartWith(turn.Answer));
        });
    }

    [Test]
    public async Task GetStreamingResponseAsync_CancelledMidStream_ThrowsTurnInterrupted_WithTheRecordedTurn()
    {
        using var cts = new CancellationTokenSource();
        var streamed = new List<string>();

        var thrown = Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in _client.GetStreamingResponseAsync("one two three", Session(), cts.Token))
            {
                streamed.Add(update.Text);
                await cts.CancelAsync();
            }
        });

        var turn = await StoppedTurnAsync(_store, _sessionId);
        Assert.Multiple(() =>
        {
            Assert.That(thrown, Is.InstanceOf<TurnInterruptedException>());
            Assert.That(((TurnInterruptedException)thrown!).Turn, Is.EqualTo(turn));
            Assert.That(turn.Answer, Is.EqualTo(string.Concat(streamed)));
        });
    }

    [Test]
    public async Task GetStreamingResponseAsync_Stopped_WithRecordInterruptedTurnsOff_RecordsNothing()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new DexterSessionsOptions { RecordInterruptedTurns = false });
        using var client = new SessionChatClient(_model, _store, options: options);
        using var cts = new CancellationTokenSource();

        var thrown = Assert.CatchAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("one two three", Session(), cts.Token))
            {
                await cts.CancelAsync();
            }
        });
        await foreach (var update in client.GetStreamingResponseAsync("one two three", Session()))
        {
            break;
        }

        Assert.Multiple(async () =>
        {
            Assert.That(thrown, Is.Not.InstanceOf<TurnInterruptedException>());
            Assert.That(await _store.ExistsAsync(_sessionId), Is.False);
        });
    }

    [Test]
    public async Task GetStreamingResponseAsync_CancelledAtTheLastUpdate_KeepsTheAnswerMarkedInterrupted_WhateverTheStore()
    {
        using var store = new TokenIgnoringStore();
        using var client = _model.AsBuilder().UseDexterSessions(store).Build();
        _model.OnGetStreamingResponse = (_, _, _) => OneUpdate();
        using var cts = new CancellationTokenSource();

        Assert.That(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("q", Session(), cts.Token))
            {
                await cts.CancelAsync();
            }
        }, Throws.InstanceOf<TurnInterruptedException>());

        Assert.That((await StoppedTurnAsync(store, _sessionId)).Answer, Is.EqualTo("answer"));
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> OneUpdate()
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "answer");
    }

    /// <summary>A store that finishes every write it starts, whatever its token says.</summary>
    private sealed class TokenIgnoringStore : ISessionStore, IDisposable
    {
        private readonly InMemorySessionStore _inner = new();

        public Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetAsync(sessionId, CancellationToken.None);

        public Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default) => _inner.SetAsync(sessionId, history, CancellationToken.None);

        public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.DeleteAsync(sessionId, CancellationToken.None);

        public Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.ExistsAsync(sessionId, CancellationToken.None);

        public Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default) => _inner.CreateAsync(sessionId, owner, CancellationToken.None);

        public Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetMetadataAsync(sessionId, CancellationToken.None);

        public Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default) => _inner.AppendAsync(sessionId, message, CancellationToken.None);

        public Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default) => _inner.GetRecentAsync(sessionId, count, CancellationToken.None);

        public Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default) => _inner.UpdateEmbeddingsAsync(sessionId, messages, CancellationToken.None);

        public Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default) =>
            _inner.UpdateTurnSummaryAsync(sessionId, turnId, summary, CancellationToken.None);

        public Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetSummaryAsync(sessionId, CancellationToken.None);

        public Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default) =>
            _inner.TrySetSummaryAsync(sessionId, summary, expectedThroughTurnId, CancellationToken.None);

        public Task<RewindResult> RewindAsync(string sessionId, int throughTurnId, int? expectedLastTurnId = null, CancellationToken cancellationToken = default) =>
            _inner.RewindAsync(sessionId, throughTurnId, expectedLastTurnId, CancellationToken.None);

        public Task<SessionMetadata?> ForkAsync(string sourceSessionId, int throughTurnId, string newSessionId, string? owner = null, CancellationToken cancellationToken = default) =>
            _inner.ForkAsync(sourceSessionId, throughTurnId, newSessionId, owner, CancellationToken.None);

        public Task<Message?> GetTurnByKeyAsync(string sessionId, string turnKey, CancellationToken cancellationToken = default) =>
            _inner.GetTurnByKeyAsync(sessionId, turnKey, CancellationToken.None);

        public void Dispose() => _inner.Dispose();
    }

    [Test]
    public async Task UseDexterSessions_NoStoreGiven_UsesTheStoreRegisteredInServices()
    {
        using var registered = new InMemorySessionStore();
        var services = new ServiceCollection().AddSingleton<ISessionStore>(registered).BuildServiceProvider();
        using var client = _model.AsBuilder().UseDexterSessions().Build(services);

        await client.GetResponseAsync("q", Session());

        Assert.That(await registered.ExistsAsync(_sessionId), Is.True);
    }

    [Test]
    public async Task UseDexterSessions_UsesTheSummarizerSelectorAndOptionsRegisteredInServices()
    {
        var selector = new RecordingSelector();
        var services = new ServiceCollection()
            .AddSingleton<ISummarizer>(new CallbackSummarizer((_, _, _) => new ValueTask<string>("from services")))
            .AddSingleton<IMessageSelector>(selector)
            .AddSingleton(Options.Create(new DexterSessionsOptions { Instructions = "Be Dexter." }))
            .BuildServiceProvider();
        using var client = _model.AsBuilder().UseDexterSessions(_store).Build(services);

        await client.GetResponseAsync("q1", Session());
        await client.GetResponseAsync("q2", Session());

        Assert.Multiple(async () =>
        {
            Assert.That((await _store.GetAsync(_sessionId))!.GetById(1)!.Summary, Is.EqualTo("from services"));
            Assert.That(selector.Contexts, Has.Count.EqualTo(1));
            Assert.That(_model.Requests[0][0].Text, Is.EqualTo("Be Dexter."));
        });
    }

    [Test]
    public async Task UseDexterSessions_NothingRegistered_KeepsSessionsInMemory_AndCallsConfigure()
    {
        SessionChatClient? configured = null;
        using var client = _model.AsBuilder().UseDexterSessions(configure: c => configured = c).Build();

        await client.GetResponseAsync("q1", Session());
        await client.GetResponseAsync("q2", Session());

        Assert.Multiple(() =>
        {
            Assert.That(configured, Is.Not.Null);
            Assert.That(client.GetService<SessionChatClient>(), Is.SameAs(configured));
            Assert.That(_model.Requests[1][0].Text, Does.Contain("- User: q1"));
        });
    }

    [Test]
    public void GetService_SessionStore_ReturnsTheStoreTurnsAreRecordedIn()
    {
        Assert.That(_client.GetService<ISessionStore>(), Is.SameAs(_store));
    }

    [Test]
    public async Task UseDexterSessions_StoreMadeByTheClient_IsDisposedWithTheClient()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton(Options.Create(new DexterSessionsOptions { SessionTtl = TimeSpan.FromMinutes(1) }))
            .BuildServiceProvider();
        var client = _model.AsBuilder().UseDexterSessions().Build(services);
        var store = (InMemorySessionStore)client.GetService<ISessionStore>()!;
        await client.GetResponseAsync("q", Session());
        var other = SessionId.New();
        await client.GetResponseAsync("q", new ChatOptions { ConversationId = other });

        clock.Advance(TimeSpan.FromMinutes(2));
        var afterSweepWhileOpen = store.Count;
        await store.AppendAsync(SessionId.New(), new Message { Query = "q", Answer = "a" });
        client.Dispose();
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Multiple(() =>
        {
            Assert.That(afterSweepWhileOpen, Is.Zero, "the sweep runs while the client is open");
            Assert.That(store.Count, Is.EqualTo(1), "no sweep after the client disposed its store");
        });
    }

    [Test]
    public async Task UseDexterSessions_StoreGiven_IsNotDisposedWithTheClient()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var store = new InMemorySessionStore(Options.Create(new DexterSessionsOptions { SessionTtl = TimeSpan.FromMinutes(1) }), clock);
        var client = _model.AsBuilder().UseDexterSessions(store).Build();
        await client.GetResponseAsync("q", Session());

        client.Dispose();
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.That(store.Count, Is.Zero, "the caller's store keeps sweeping after the client is disposed");
    }

    [Test]
    public void UseDexterSessions_NullBuilder_Throws()
    {
        Assert.That(() => SessionChatClientBuilderExtensions.UseDexterSessions(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("builder"));
    }

    [Test]
    public void Constructor_NullArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => new SessionChatClient(_model, store: null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("store"));
            Assert.That(() => new SessionChatClient(null!, _store), Throws.ArgumentNullException);
        });
    }
}
