using Dexter.Sessions.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Tests.TestSupport;

/// <summary>What the agent tests share: a fake model, a fake clock, an in-memory store, a collecting logger and a session id.</summary>
public abstract class AgentTestBase
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    protected FakeChatClient _model = null!;
    protected FakeTimeProvider _clock = null!;
    protected InMemorySessionStore _store = null!;
    protected CollectingLogger<DexterAgent> _logger = null!;
    protected string _sessionId = null!;

    [SetUp]
    public void SetUpAgent()
    {
        _model = new FakeChatClient();
        _clock = new FakeTimeProvider(Start);
        _store = new InMemorySessionStore(Options.Create(new DexterSessionsOptions()), _clock);
        _logger = new CollectingLogger<DexterAgent>();
        _sessionId = SessionId.New();
    }

    [TearDown]
    public void TearDownAgent()
    {
        _store.Dispose();
        _model.Dispose();
    }

    protected DexterAgent Create(DexterSessionsOptions? options = null, ISummarizer? summarizer = null, IMessageSelector? selector = null) =>
        new(_model, _store, summarizer, selector, Options.Create(options ?? new DexterSessionsOptions()), _clock, _logger);

    protected async Task<IReadOnlyList<Message>> Stored() => (await _store.GetAsync(_sessionId))?.GetAll() ?? [];

    protected int[] LoggedEvents() => _logger.Entries.Select(e => e.EventId.Id).ToArray();
}
