using Dexter.Sessions.Testing;
using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Tests.Summarization;

public sealed class ChatClientSummarizerTests
{
    private const string Query = "What is Bitcoin?";
    private const string FallbackEventName = "dexter.sessions.summarizer.fallbacks";

    private FakeChatClient _model = null!;
    private FakeTimeProvider _clock = null!;
    private CollectingLogger<ChatClientSummarizer> _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _model = new FakeChatClient();
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        _logger = new CollectingLogger<ChatClientSummarizer>();
    }

    [TearDown]
    public void TearDown() => _model.Dispose();

    private ChatClientSummarizer Create(TimeSpan? timeout = null) => new(
        _model,
        Options.Create(new DexterSessionsOptions { SummarizerTimeout = timeout ?? TimeSpan.FromSeconds(10) }),
        _clock,
        _logger);

    private static Task<ChatResponse> Reply(string text) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));

    private LogEntry[] Fallbacks() => _logger.Entries.Where(e => e.EventId.Id == 1200).ToArray();

    [Test]
    public async Task SummarizeAsync_ModelAnswers_ReturnsTheTrimmedReply_AndSendsInstructionsAndTheAnswerCutTo500()
    {
        var answer = new string('a', 500) + "NOT SENT";
        _model.OnGetResponse = (_, _, _) => Reply("  Bitcoin is a digital currency.\n ");

        var summary = await Create().SummarizeAsync(Query, answer);

        var request = _model.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(summary, Is.EqualTo("Bitcoin is a digital currency."));
            Assert.That(request.Select(m => m.Role), Is.EqualTo(new[] { ChatRole.System, ChatRole.User }));
            Assert.That(request[0].Text, Is.EqualTo(ChatClientSummarizer.Instructions));
            Assert.That(request[1].Text, Is.EqualTo("Question: " + Query + "\nAnswer: " + new string('a', 500)));
            Assert.That(Fallbacks(), Is.Empty);
        });
    }

    [Test]
    public async Task SummarizeAsync_ShortAnswer_IsSentWhole()
    {
        _model.OnGetResponse = (_, _, _) => Reply("s");

        await Create().SummarizeAsync("q", "short answer");

        Assert.That(_model.Requests.Single()[1].Text, Is.EqualTo("Question: q\nAnswer: short answer"));
    }

    [Test]
    public async Task SummarizeAsync_LongReply_IsCutTo300Characters()
    {
        _model.OnGetResponse = (_, _, _) => Reply(new string('s', 400));

        var summary = await Create().SummarizeAsync(Query, "answer");

        Assert.That(summary, Is.EqualTo(new string('s', ChatClientSummarizer.MaxSummaryLength)));
        Assert.That(ChatClientSummarizer.MaxSummaryLength, Is.EqualTo(300));
    }

    [Test]
    public async Task SummarizeAsync_SurrogatePairsAcrossTheCuts_AreNotSplit()
    {
        _model.OnGetResponse = (_, _, _) => Reply(new string('s', 299) + "😀" + "more");

        var summary = await Create().SummarizeAsync("q", new string('a', 499) + "😀" + "more");

        Assert.Multiple(() =>
        {
            Assert.That(_model.Requests.Single()[1].Text, Is.EqualTo("Question: q\nAnswer: " + new string('a', 499)));
            Assert.That(summary, Is.EqualTo(new string('s', 299)));
        });
    }

    [Test]
    public async Task SummarizeAsync_ModelDoesNotAnswerWithinTheTimeout_FallsBackToTruncation_AndWarns()
    {
        CancellationToken modelToken = default;
        _model.OnGetResponse = (_, _, token) =>
        {
            modelToken = token;
            return new TaskCompletionSource<ChatResponse>().Task; // never answers, ignores its token
        };
        using var fallbacks = new InstrumentRecorder(FallbackEventName);

        var pending = Create().SummarizeAsync(Query, "A digital currency.").AsTask();
        _clock.Advance(TimeSpan.FromSeconds(9));
        var completedBeforeTimeout = pending.IsCompleted;
        _clock.Advance(TimeSpan.FromSeconds(1));
        var summary = await pending.WaitAsync(TimeSpan.FromSeconds(5));

        var warning = Fallbacks().Single();
        Assert.Multiple(() =>
        {
            Assert.That(completedBeforeTimeout, Is.False);
            Assert.That(summary, Is.EqualTo(TruncatingSummarizer.Summarize(Query, "A digital currency.")));
            Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warning.Message, Does.Contain("did not answer within 10 s"));
            Assert.That(warning.Exception, Is.InstanceOf<TimeoutException>());
            Assert.That(modelToken.IsCancellationRequested, Is.True, "the abandoned model call is cancelled");
            Assert.That(fallbacks.Sum, Is.EqualTo(1));
            Assert.That(fallbacks.Measurements.Single().Tag("reason"), Is.EqualTo(nameof(TimeoutException)));
        });
    }

    [Test]
    public async Task SummarizeAsync_TimeoutFromOptions_IsUsed()
    {
        _model.OnGetResponse = (_, _, token) => Task.Delay(Timeout.Infinite, token).ContinueWith(_ => new ChatResponse(), TaskScheduler.Default);

        var pending = Create(TimeSpan.FromSeconds(2)).SummarizeAsync(Query, "answer").AsTask();
        _clock.Advance(TimeSpan.FromSeconds(2));
        var summary = await pending.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Multiple(() =>
        {
            Assert.That(summary, Is.EqualTo(TruncatingSummarizer.Summarize(Query, "answer")));
            Assert.That(Fallbacks().Single().Message, Does.Contain("within 2 s"));
        });
    }

    [Test]
    public async Task SummarizeAsync_VeryLongTimeout_StillUsesTheModelsSummary()
    {
        _model.OnGetResponse = (_, _, _) => Reply("model summary");

        var summary = await Create(TimeSpan.FromDays(60)).SummarizeAsync(Query, "answer");

        Assert.Multiple(() =>
        {
            Assert.That(summary, Is.EqualTo("model summary"));
            Assert.That(Fallbacks(), Is.Empty);
        });
    }

    [Test]
    public async Task SummarizeAsync_ModelThrows_FallsBackToTruncation_AndWarnsWithTheCause()
    {
        var failure = new InvalidOperationException("model is down");
        _model.OnGetResponse = (_, _, _) => throw failure;
        using var fallbacks = new InstrumentRecorder(FallbackEventName);

        var summary = await Create().SummarizeAsync(Query, "answer");

        var warning = Fallbacks().Single();
        Assert.Multiple(() =>
        {
            Assert.That(summary, Is.EqualTo(TruncatingSummarizer.Summarize(Query, "answer")));
            Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warning.Exception, Is.SameAs(failure));
            Assert.That(warning.Message, Does.Contain("model is down"));
            Assert.That(fallbacks.Measurements.Single().Tag("reason"), Is.EqualTo(nameof(InvalidOperationException)));
        });
    }

    [Test]
    public async Task SummarizeAsync_ModelTaskFaults_FallsBackToTruncation()
    {
        _model.OnGetResponse = (_, _, _) => Task.FromException<ChatResponse>(new HttpRequestException("502"));

        var summary = await Create().SummarizeAsync(Query, "answer");

        Assert.Multiple(() =>
        {
            Assert.That(summary, Is.EqualTo(TruncatingSummarizer.Summarize(Query, "answer")));
            Assert.That(Fallbacks().Single().Exception, Is.InstanceOf<HttpRequestException>());
        });
    }

    [Test]
    public async Task SummarizeAsync_ModelCancelsOnItsOwn_FallsBackToTruncation()
    {
        _model.OnGetResponse = (_, _, _) => Task.FromCanceled<ChatResponse>(new CancellationToken(canceled: true));

        var summary = await Create().SummarizeAsync(Query, "answer");

        Assert.Multiple(() =>
        {
            Assert.That(summary, Is.EqualTo(TruncatingSummarizer.Summarize(Query, "answer")));
            Assert.That(Fallbacks(), Has.Length.EqualTo(1));
        });
    }

    [TestCase("")]
    [TestCase("   \n")]
    public async Task SummarizeAsync_EmptyReply_FallsBackToTruncation_AndWarns(string reply)
    {
        _model.OnGetResponse = (_, _, _) => Reply(reply);
        using var fallbacks = new InstrumentRecorder(FallbackEventName);

        var summary = await Create().SummarizeAsync(Query, "answer");

        var warning = Fallbacks().Single();
        Assert.Multiple(() =>
        {
            Assert.That(summary, Is.EqualTo(TruncatingSummarizer.Summarize(Query, "answer")));
            Assert.That(warning.Message, Does.Contain("empty summary"));
            Assert.That(warning.Exception, Is.Null);
            Assert.That(fallbacks.Measurements.Single().Tag("reason"), Is.EqualTo("empty"));
        });
    }

    [Test]
    public async Task SummarizeAsync_CallerCancelsWhileTheModelWorks_ThrowsWithoutFallback()
    {
        using var cts = new CancellationTokenSource();
        _model.OnGetResponse = (_, _, _) => new TaskCompletionSource<ChatResponse>().Task;
        using var fallbacks = new InstrumentRecorder(FallbackEventName);

        var pending = Create().SummarizeAsync(Query, "answer", cts.Token).AsTask();
        await cts.CancelAsync();

        Assert.Multiple(() =>
        {
            Assert.That(async () => await pending.WaitAsync(TimeSpan.FromSeconds(5)), Throws.InstanceOf<OperationCanceledException>());
            Assert.That(Fallbacks(), Is.Empty);
            Assert.That(fallbacks.Measurements, Is.Empty);
        });
    }

    [Test]
    public void SummarizeAsync_AlreadyCancelled_ThrowsWithoutCallingTheModel()
    {
        Assert.Multiple(() =>
        {
            Assert.That(async () => await Create().SummarizeAsync(Query, "answer", new CancellationToken(canceled: true)),
                Throws.InstanceOf<OperationCanceledException>());
            Assert.That(_model.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task SummarizeAsync_ModelHonoursTheCallersCancellation_ThrowsWithoutFallback()
    {
        using var cts = new CancellationTokenSource();
        _model.OnGetResponse = async (_, _, token) =>
        {
            await cts.CancelAsync();
            token.ThrowIfCancellationRequested();
            return new ChatResponse();
        };

        Assert.That(async () => await Create().SummarizeAsync(Query, "answer", cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(Fallbacks(), Is.Empty);
    }

    [Test]
    public void SummarizeAsync_NullArgument_ThrowsNamingIt()
    {
        var summarizer = Create();

        Assert.Multiple(() =>
        {
            Assert.That(async () => await summarizer.SummarizeAsync(null!, "a"), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("query"));
            Assert.That(async () => await summarizer.SummarizeAsync("q", null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("answer"));
        });
    }

    [Test]
    public void Constructor_NullChatClient_Throws()
    {
        Assert.That(() => new ChatClientSummarizer(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("chatClient"));
    }

    [Test]
    public async Task SummarizeAsync_NoOptions_UsesTheTenSecondDefault()
    {
        _model.OnGetResponse = (_, _, _) => new TaskCompletionSource<ChatResponse>().Task;
        var summarizer = new ChatClientSummarizer(_model, options: null, _clock, _logger);

        var pending = summarizer.SummarizeAsync(Query, "answer").AsTask();
        _clock.Advance(TimeSpan.FromSeconds(9.9));
        var early = pending.IsCompleted;
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        await pending.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Multiple(() =>
        {
            Assert.That(early, Is.False);
            Assert.That(Fallbacks(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public async Task SummarizeAsync_LogsTheDurationAtDebug()
    {
        _model.OnGetResponse = (_, _, _) =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            return Reply("s");
        };

        await Create().SummarizeAsync(Query, "answer");

        var entry = _logger.Entries.Single(e => e.EventId.Id == 1201);
        Assert.Multiple(() =>
        {
            Assert.That(entry.Level, Is.EqualTo(LogLevel.Debug));
            Assert.That(entry.Message, Does.Contain("250"));
        });
    }
}
