using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Dexter.Sessions.Samples;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Playwright;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>
/// The web sample's chat page in the system's headless chromium, served with the endpoints by a real Kestrel server on loopback.
/// The model streams its first word, then waits at a gate the test opens, so the test sees the answer arrive piece by piece.
/// </summary>
[NonParallelizable]
public sealed class ChatPageBrowserTests
{
    [Test]
    public async Task ChatPage_TwoQuestions_StreamAnswersShowHistoryWithSummariesAndClear()
    {
        await using var app = await ChatPageApp.StartAsync();
        var gate = new SemaphoreSlim(0);
        var offline = new OfflineChatClient();
        app.Model.OnGetStreamingResponse = (messages, options, ct) => Gated(offline.GetStreamingResponseAsync(messages, options, ct), gate, ct);

        await using var chromium = await HeadlessChromium.LaunchAsync(new() { ViewportSize = new() { Width = 1200, Height = 800 } });
        var page = chromium.Page;
        await page.GotoAsync(app.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        var sessionId = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        Assert.That(sessionId, Does.Match("^[0-9a-f]{32}$"));
        await Assertions.Expect(page.Locator("#session-id")).ToHaveTextAsync(sessionId);

        await AskAsync(page, gate, "What is Bitcoin?", "Bitcoin", "Bitcoin is a decentralized digital currency");
        await Assertions.Expect(page.Locator("#history-count")).ToHaveTextAsync("1 turn in conversation");
        await AskAsync(page, gate, "Why is it valuable?", "Following", "Its value comes from a supply capped at 21 million coins");

        await Assertions.Expect(page.Locator("#history-count")).ToHaveTextAsync("2 turns in conversation");
        var turns = page.Locator("#history .turn");
        await Assertions.Expect(turns).ToHaveCountAsync(2);
        await Assertions.Expect(turns.Nth(0).Locator(".q")).ToHaveTextAsync("1. What is Bitcoin?");
        await Assertions.Expect(turns.Nth(0).Locator(".summary")).ToContainTextAsync("What is Bitcoin? → Bitcoin is a decentralized");
        await Assertions.Expect(turns.Nth(1).Locator(".q")).ToHaveTextAsync("2. Why is it valuable?");
        await Assertions.Expect(turns.Nth(1).Locator(".summary")).ToContainTextAsync("Why is it valuable? →");
        Assert.That((await app.Store.GetAsync(sessionId))!.Count, Is.EqualTo(2));
        await chromium.ScreenshotAsync("chat-two-questions");

        await page.ClickAsync("#clear");

        await Assertions.Expect(page.Locator("#history-count")).ToHaveTextAsync("0 turns in conversation");
        await Assertions.Expect(page.Locator("#history .turn")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#messages .bubble")).ToHaveCountAsync(0);
        var newSessionId = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        Assert.Multiple(async () =>
        {
            Assert.That(newSessionId, Is.Not.EqualTo(sessionId).And.Match("^[0-9a-f]{32}$"));
            Assert.That(await app.Store.ExistsAsync(sessionId), Is.False, "the cleared session is gone from the store");
            Assert.That(chromium.Problems, Is.Empty);
        });
    }

    [Test]
    public async Task Dashboard_TwoQuestions_ShowsTheFiguresAndOneBarPerTurn()
    {
        await using var app = await ChatPageApp.StartAsync();
        var offline = new OfflineChatClient();
        app.Model.OnGetStreamingResponse = (messages, options, ct) => offline.GetStreamingResponseAsync(messages, options, ct);

        await using var chromium = await HeadlessChromium.LaunchAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var page = chromium.Page;
        var cspViolations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                cspViolations.Add(message.Text);
            }
        };
        await page.GotoAsync(app.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        foreach (var (question, turns) in new[] { ("What is Bitcoin?", "1 turn in conversation"), ("Why is it valuable?", "2 turns in conversation") })
        {
            await page.Locator("#query").FillAsync(question);
            await page.Locator("#send").ClickAsync();
            await Assertions.Expect(page.Locator("#history-count")).ToHaveTextAsync(turns);
        }

        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-stats-turns", "2");
        var sessionId = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        var stored = (await app.Store.GetAsync(sessionId))!.GetAll();
        await Assertions.Expect(page.Locator("#stat-turns")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#stat-max")).ToHaveTextAsync(
            $"{Math.Round(stored.Max(t => t.ResponseTime!.Value.TotalMilliseconds), MidpointRounding.AwayFromZero)} ms");
        var bars = page.Locator("#response-chart rect.bar");
        await Assertions.Expect(bars).ToHaveCountAsync(2);
        Assert.Multiple(async () =>
        {
            Assert.That(await bars.Nth(0).GetAttributeAsync("data-turn"), Is.EqualTo("1"));
            Assert.That(await bars.Nth(1).GetAttributeAsync("data-turn"), Is.EqualTo("2"));
            Assert.That((await bars.Nth(1).BoundingBoxAsync())!.Height, Is.GreaterThan(0));
            Assert.That(cspViolations, Is.Empty, "the dashboard runs under the page's content security policy");
        });

        // "Why this context?": the dashboard shows what GET /agent/context says the model would receive for a question.
        await page.Locator("#explain-query").FillAsync("Tell me more about Bitcoin");
        await page.Locator("#explain-send").ClickAsync();
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-explained-turns", "2");
        var explained = page.Locator("#explain-turns li.explained");
        await Assertions.Expect(explained).ToHaveCountAsync(2);
        await Assertions.Expect(explained.Nth(0)).ToContainTextAsync("Turn 1 · rank 2");
        await Assertions.Expect(page.Locator("#explain-summary")).ToContainTextAsync("of 4000 tokens: 2 of 2 turns (RelevanceMessageSelector)");
        Assert.That(cspViolations, Is.Empty);

        await page.Locator("#clear").ClickAsync();
        await Assertions.Expect(page.Locator("#history-count")).ToHaveTextAsync("0 turns in conversation");
        await Assertions.Expect(page.Locator("#stat-turns")).ToHaveTextAsync("0");
        await Assertions.Expect(bars).ToHaveCountAsync(0);
    }

    [Test]
    public async Task SeedClient_RunUnchanged_PrintsEachEventHistoryAndClears()
    {
        await using var app = await TestApp.StartAsync(kestrel: true);
        var gate = new SemaphoreSlim(0);
        app.Model.OnGetStreamingResponse = (_, _, ct) => StepByStep(["Bitcoin", " is digital money."], gate, ct);

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = chromium.Page;
        var logged = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "log")
            {
                logged.Enqueue(message.Text);
            }
        };
        await page.GotoAsync(new Uri(app.BaseAddress, "/health").ToString());

        // The documented JavaScript client of the /agent endpoints, word for word, as a module (it awaits at top level); its functions are then exposed.
        await page.AddScriptTagAsync(new() { Type = "module", Content = SeedClient + "\nwindow.seed = { askAgent, showHistory, clearSession, sessionId };" });
        await page.WaitForFunctionAsync("() => window.seed !== undefined");
        var sessionId = await page.EvaluateAsync<string>("() => window.seed.sessionId");

        // The model writes one piece, then waits: each event reaches the client, which prints its content, before the next is written.
        var asking = page.EvaluateAsync("() => window.seed.askAgent('What is Bitcoin?')");
        await UntilAsync(() => logged.Count >= 1);
        gate.Release();
        await UntilAsync(() => logged.Count >= 2);
        gate.Release();
        await asking;
        await page.EvaluateAsync("() => window.seed.showHistory()");
        await page.EvaluateAsync("() => window.seed.clearSession()");

        var lines = logged.ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(lines.Take(3), Is.EqualTo(new[] { "Bitcoin", " is digital money.", "Bitcoin is digital money." }), "token, token, then the full answer");
            Assert.That(lines[3], Is.EqualTo("1 turns in conversation"));
            Assert.That(lines[4], Does.StartWith("Q: What is Bitcoin?\nA: Bitcoin is digital money.\nSummary: What is Bitcoin? → Bitcoin is digital money."));
            Assert.That(await page.EvaluateAsync<string?>("() => localStorage.getItem('sessionId')"), Is.Null);
            Assert.That(await app.Store.ExistsAsync(sessionId), Is.False);
        });
    }

    private const string SeedClient = """
        // Create or load session
        const sessionId = localStorage.getItem("sessionId") ||
                          (await fetch("/agent/session", {method: "POST"}).then(r => r.json())).session_id;
        localStorage.setItem("sessionId", sessionId);

        // Query with context persistence
        async function askAgent(question) {
            const response = await fetch("/agent/query", {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify({ query: question, session_id: sessionId }),
                credentials: "include"  // Preserve cookies
            });

            const reader = response.body.getReader();
            const decoder = new TextDecoder();

            while (true) {
                const {done, value} = await reader.read();
                if (done) break;

                const event = JSON.parse(
                    decoder.decode(value).replace(/^data: /, "").trim()
                );
                console.log(event.content);  // Stream response
            }
        }

        // View full conversation
        async function showHistory() {
            const hist = await fetch(`/agent/history?session_id=${sessionId}`).then(r => r.json());
            console.log(`${hist.turns} turns in conversation`);
            hist.messages.forEach(msg => {
                console.log(`Q: ${msg.query}\nA: ${msg.answer}\nSummary: ${msg.summary}`);
            });
        }

        // Clear session
        async function clearSession() {
            await fetch(`/agent/history?session_id=${sessionId}`, {method: "DELETE"});
            localStorage.removeItem("sessionId");
        }
        """;

    [Test]
    public async Task ChatPage_ClearFails_ShowsTheErrorAndKeepsTheSession()
    {
        await using var app = await ChatPageApp.StartAsync(new FailingSessionStore(failDelete: true));

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = chromium.Page;
        await page.GotoAsync(app.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        var sessionId = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");

        await page.ClickAsync("#clear");

        await Assertions.Expect(page.Locator("#alert[role=alert]")).ToContainTextAsync("Could not clear the history: The service is unavailable right now; try again in 5 s.");
        await Assertions.Expect(page.Locator("#retry")).ToBeVisibleAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')"), Is.EqualTo(sessionId), "the page keeps the session it could not clear");
            Assert.That(await app.Store.ExistsAsync(sessionId), Is.True);
            Assert.That(await page.Locator("#messages").TextContentAsync(), Does.Not.Contain("History cleared"));
            Assert.That(chromium.Problems, Is.Empty);
        });
    }

    [Test]
    public async Task ChatPage_HistoryReadFails_ShowsTheErrorInsteadOfAnEmptyHistory()
    {
        await using var app = await ChatPageApp.StartAsync(new FailingSessionStore(failGet: true));

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = chromium.Page;
        await page.GotoAsync(app.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");

        await page.FillAsync("#query", "What is Bitcoin?");
        await page.ClickAsync("#send");

        await Assertions.Expect(page.Locator("#alert[role=alert]")).ToContainTextAsync("Could not read the history: The service is unavailable right now; try again in 5 s.");
        await Assertions.Expect(page.Locator("#messages .bubble.agent")).ToHaveTextAsync("Answer to: What is Bitcoin?");
        Assert.That(chromium.Problems, Is.Empty);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1500 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        Assert.That(condition(), Is.True, "the browser did not get there within 30 s");
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> StepByStep(string[] pieces, SemaphoreSlim gate, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var piece in pieces)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece);
            await gate.WaitAsync(ct);
        }
    }

    private static async Task AskAsync(IPage page, SemaphoreSlim gate, string question, string firstWord, string answerStart)
    {
        await page.FillAsync("#query", question);
        await page.ClickAsync("#send");
        var answer = page.Locator("#messages .bubble.agent").Last;

        // The first word is on the page while the model still waits at its gate: the answer streams in.
        await Assertions.Expect(answer).ToHaveTextAsync(firstWord);
        await Assertions.Expect(answer).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("streaming"));
        gate.Release();

        await Assertions.Expect(answer).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("streaming"));
        await Assertions.Expect(answer).ToContainTextAsync(answerStart);
        await Assertions.Expect(page.Locator("#messages .bubble.user").Last).ToHaveTextAsync(question);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Gated(
        IAsyncEnumerable<ChatResponseUpdate> source, SemaphoreSlim gate, [EnumeratorCancellation] CancellationToken ct)
    {
        var first = true;
        await foreach (var update in source.WithCancellation(ct))
        {
            yield return update;
            if (first)
            {
                first = false;
                await gate.WaitAsync(ct);
            }
        }
    }

    /// <summary>An in-memory store whose backend goes down when a session is deleted or read whole.</summary>
    private sealed class FailingSessionStore(bool failDelete = false, bool failGet = false) : ISessionStore
    {
        private readonly InMemorySessionStore _inner = new();

        public Task<MessageHistory?> GetAsync(string sessionId, CancellationToken cancellationToken = default) =>
            failGet ? throw Down(sessionId) : _inner.GetAsync(sessionId, cancellationToken);

        public Task SetAsync(string sessionId, MessageHistory history, CancellationToken cancellationToken = default) => _inner.SetAsync(sessionId, history, cancellationToken);

        public Task<bool> DeleteAsync(string sessionId, CancellationToken cancellationToken = default) =>
            failDelete ? throw Down(sessionId) : _inner.DeleteAsync(sessionId, cancellationToken);

        public Task<bool> ExistsAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.ExistsAsync(sessionId, cancellationToken);

        public Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default) => _inner.CreateAsync(sessionId, owner, cancellationToken);

        public Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetMetadataAsync(sessionId, cancellationToken);

        public Task<Message> AppendAsync(string sessionId, Message message, CancellationToken cancellationToken = default) => _inner.AppendAsync(sessionId, message, cancellationToken);

        // With failGet, reading a history that has turns fails (the page's history read); the agent's context read before
        // the first turn still works, so the query itself is answered.
        public async Task<IReadOnlyList<Message>> GetRecentAsync(string sessionId, int count, CancellationToken cancellationToken = default) =>
            failGet && (await _inner.GetMetadataAsync(sessionId, cancellationToken))?.TurnCount > 0
                ? throw Down(sessionId)
                : await _inner.GetRecentAsync(sessionId, count, cancellationToken);

        public Task UpdateEmbeddingsAsync(string sessionId, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default) => _inner.UpdateEmbeddingsAsync(sessionId, messages, cancellationToken);

        public Task<bool> UpdateTurnSummaryAsync(string sessionId, int turnId, string summary, CancellationToken cancellationToken = default) =>
            _inner.UpdateTurnSummaryAsync(sessionId, turnId, summary, cancellationToken);

        public Task<SessionSummary?> GetSummaryAsync(string sessionId, CancellationToken cancellationToken = default) => _inner.GetSummaryAsync(sessionId, cancellationToken);

        public Task<bool> TrySetSummaryAsync(string sessionId, SessionSummary summary, int expectedThroughTurnId, CancellationToken cancellationToken = default) =>
            _inner.TrySetSummaryAsync(sessionId, summary, expectedThroughTurnId, cancellationToken);

        private static SessionStoreUnavailableException Down(string sessionId) =>
            new(UnavailableSessionStore.Message, "127.0.0.1:6390", sessionId, innerException: null);
    }
}
