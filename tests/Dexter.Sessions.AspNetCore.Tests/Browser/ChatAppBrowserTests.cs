using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Playwright;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>
/// The web sample's chat page used as a chat app, in the system's headless chromium against the endpoints on a real Kestrel
/// server: Markdown answers (sanitised), copy, Enter and Shift+Enter, stop, reload, errors, a phone-sized screen, dark mode
/// and several conversations. Each test fails on any uncaught page error or console error.
/// </summary>
[NonParallelizable]
public sealed class ChatAppBrowserTests
{
    private const string MarkdownAnswer =
        "Here is the **loop**:\n\n```csharp\nfor (var i = 0; i < 3; i++) { }\n```\n\n" +
        "<script>window.injected = 'script';</script><img src=\"\" onerror=\"window.injected = 'onerror'\">\n\n" +
        "See [the docs](javascript:window.injected='link') or [the site](https://example.org/docs).";

    private const string ApiKey = "the-sample-api-key-of-this-test";

    [Test]
    public async Task ChatApp_AskCopyReloadStop_RendersSanitisedMarkdownRebuildsThePaneAndKeepsAStoppedAnswer()
    {
        await using var app = await ChatPageApp.StartAsync();
        var never = new SemaphoreSlim(0);
        app.Model.OnGetStreamingResponse = (messages, _, ct) => LastQuestion(messages).Contains("halfway", StringComparison.Ordinal)
            ? Pieces(["Partial ", "answer"], ct, wait: never)
            : Pieces([MarkdownAnswer[..30], MarkdownAnswer[30..70], MarkdownAnswer[70..]], ct);

        await using var chromium = await HeadlessChromium.LaunchAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = chromium.Page;
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await page.GotoAsync(app.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");

        // Shift+Enter adds a line (and the box grows); Enter sends.
        var box = page.Locator("#query");
        await box.FocusAsync();
        await page.Keyboard.TypeAsync("Show me code");
        var oneLine = await box.EvaluateAsync<double>("e => e.clientHeight");
        await page.Keyboard.PressAsync("Shift+Enter");
        await page.Keyboard.TypeAsync("in C#");
        Assert.Multiple(async () =>
        {
            Assert.That(await box.InputValueAsync(), Is.EqualTo("Show me code\nin C#"));
            Assert.That(await box.EvaluateAsync<double>("e => e.clientHeight"), Is.GreaterThan(oneLine), "the box grows with its lines");
            Assert.That(await page.Locator("#messages .message").CountAsync(), Is.Zero, "Shift+Enter sent nothing");
        });
        await page.Keyboard.PressAsync("Enter");

        var answer = page.Locator("#messages .bubble.agent").Last;
        await Assertions.Expect(answer).Not.ToHaveClassAsync(new Regex("streaming"));
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync("Show me code\nin C#");
        await Assertions.Expect(box).ToHaveValueAsync("");
        await ExpectRenderedMarkdownAsync(page, answer);

        // Copy gives the answer as written (Markdown).
        await page.Locator("#messages .message.agent .copy").ClickAsync();
        await Assertions.Expect(page.Locator("#messages .message.agent .copy")).ToHaveTextAsync("Copied");
        Assert.That(await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"), Is.EqualTo(MarkdownAnswer));

        // 51 more turns, from another device: a reload rebuilds the conversation from the server, the latest 50 turns with
        // their times, and the first one on demand.
        var sessionId = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        for (var i = 2; i <= 52; i++)
        {
            await app.Store.AppendAsync(sessionId, new Message { Query = $"Question {i}", Answer = $"Answer {i}" });
        }

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Assertions.Expect(page.Locator("#messages .message")).ToHaveCountAsync(100);
        await Assertions.Expect(page.Locator("#messages .bubble.user").First).ToHaveTextAsync("Question 3");
        await Assertions.Expect(page.Locator("#messages .bubble.agent").Last).ToHaveTextAsync("Answer 52");
        await page.Locator("#messages .older").ClickAsync();
        await Assertions.Expect(page.Locator("#messages .message")).ToHaveCountAsync(104);
        await Assertions.Expect(page.Locator("#messages .older")).ToHaveCountAsync(0);
        Assert.That(await page.Locator("#messages .bubble.user").First.TextContentAsync(), Is.EqualTo("Show me code\nin C#"), "the question's lines, as typed");
        await ExpectRenderedMarkdownAsync(page, page.Locator("#messages .bubble.agent").First);
        var stamp = await page.Locator("#messages .message.agent .meta time").First.GetAttributeAsync("datetime");
        var stored = (await app.Store.GetAsync(sessionId))!.GetAll();
        Assert.That(DateTimeOffset.Parse(stamp!, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(stored[0].CreatedAt).Within(TimeSpan.FromSeconds(1)));

        // Stop: the model has written "Partial answer" and waits; the page keeps it, marked stopped.
        await box.FillAsync("Now stop halfway");
        await box.PressAsync("Enter");
        var partial = page.Locator("#messages .bubble.agent").Last;
        await Assertions.Expect(partial).ToHaveTextAsync("Partial answer");
        await Assertions.Expect(partial).ToHaveClassAsync(new Regex("streaming"));
        await Assertions.Expect(page.Locator("#send")).ToBeHiddenAsync();
        await page.Locator("#stop").ClickAsync();

        await Assertions.Expect(partial).Not.ToHaveClassAsync(new Regex("streaming"));
        await Assertions.Expect(partial).ToHaveClassAsync(new Regex("stopped"));
        await Assertions.Expect(partial).ToHaveTextAsync("Partial answer");
        await Assertions.Expect(page.Locator("#messages .message.agent").Last.Locator(".meta .state")).ToHaveTextAsync("stopped");
        await Assertions.Expect(page.Locator("#messages .message")).ToHaveCountAsync(106);
        await Assertions.Expect(page.Locator("#send")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#stop")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#alert")).ToBeHiddenAsync();
        await chromium.ScreenshotAsync("chat-app-markdown-stopped");

        // The server kept the stopped answer too, marked; the page takes the turn from it, so the answer can be regenerated,
        // and a reload shows it stopped as it was left.
        await Assertions.Expect(page.Locator("#messages .message.agent").Last.Locator(".regenerate")).ToHaveCountAsync(1);
        var kept = (await app.Store.GetAsync(sessionId))!.GetAll()[^1];
        Assert.That((kept.Query, kept.Answer, kept.Interrupted), Is.EqualTo(("Now stop halfway", "Partial answer", true)));
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        var reloaded = page.Locator("#messages .message.agent").Last;
        await Assertions.Expect(reloaded.Locator(".bubble")).ToHaveTextAsync("Partial answer");
        await Assertions.Expect(reloaded.Locator(".bubble")).ToHaveClassAsync(new Regex("stopped"));
        await Assertions.Expect(reloaded.Locator(".meta .state")).ToHaveTextAsync("stopped");
        Assert.That(chromium.Problems, Is.Empty);
    }

    [Test]
    public async Task ChatApp_ServerRefuses_SaysWhatHappenedKeepsTheQuestionAndRetries()
    {
        var store = new SwitchableSessionStore();
        await using var app = await ChatPageApp.StartAsync(store, new Dictionary<string, string?>
        {
            ["BACKEND_API_KEY"] = ApiKey,
            ["DEXTER_RATE_LIMIT_PER_MINUTE"] = "1",
        });

        await using var chromium = await HeadlessChromium.LaunchAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = chromium.Page;
        var alert = page.Locator("#alert[role=alert]");
        var box = page.Locator("#query");
        await page.GotoAsync(app.BaseAddress.ToString());

        // 401: no key, then a wrong one, then the right one.
        await Assertions.Expect(alert).ToContainTextAsync("This server needs an API key. Enter it under “API key” and try again.");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "failed");
        await Assertions.Expect(page.Locator("#api-key-box")).ToHaveAttributeAsync("open", "");
        await page.Locator("#api-key").FillAsync("a-wrong-key");
        await page.Locator("#api-key").DispatchEventAsync("change");
        await Assertions.Expect(alert).ToContainTextAsync("Your API key was refused. Check the key under “API key” and try again.");
        await page.Locator("#api-key").FillAsync(ApiKey);
        await page.Locator("#api-key").DispatchEventAsync("change");
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Assertions.Expect(alert).ToBeHiddenAsync();

        // 503: the question stays in the box, nothing is left streaming, and Retry asks it once the store is back.
        store.Down = true;
        await box.FillAsync("What is Bitcoin?");
        await box.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#alert-text")).ToHaveTextAsync("The service is unavailable right now; try again in 5 s.");
        await Assertions.Expect(page.Locator("#retry")).ToBeVisibleAsync();
        await Assertions.Expect(box).ToHaveValueAsync("What is Bitcoin?");
        await Assertions.Expect(page.Locator("#messages .message")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#messages .streaming")).ToHaveCountAsync(0);
        await chromium.ScreenshotAsync("chat-app-unavailable");
        store.Down = false;
        await page.Locator("#retry").ClickAsync();
        await Assertions.Expect(page.Locator("#messages .bubble.agent")).ToHaveTextAsync("Answer to: What is Bitcoin?");
        await Assertions.Expect(alert).ToBeHiddenAsync();
        await Assertions.Expect(box).ToHaveValueAsync("");

        // 404: the conversation is gone from the server; the page starts a new one, says so, and keeps the question.
        var first = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        await app.Store.DeleteAsync(first);
        await box.FillAsync("Still there?");
        await box.PressAsync("Enter");
        await Assertions.Expect(alert).ToContainTextAsync("That conversation no longer exists on the server (it may have expired), so a new one was started.");
        await Assertions.Expect(box).ToHaveValueAsync("Still there?");
        var second = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        Assert.That(second, Is.Not.EqualTo(first).And.Match("^[0-9a-f]{32}$"));
        await page.Locator("#retry").ClickAsync();
        await Assertions.Expect(page.Locator("#messages .bubble.agent")).ToHaveTextAsync("Answer to: Still there?");
        Assert.That((await app.Store.GetAsync(second))!.Count, Is.EqualTo(1));

        // 429: one query per session per minute.
        await box.FillAsync("One more?");
        await box.PressAsync("Enter");
        await Assertions.Expect(alert).ToContainTextAsync(new Regex(@"Too many requests, try again in \d+ s\."));
        await Assertions.Expect(box).ToHaveValueAsync("One more?");
        await Assertions.Expect(page.Locator("#messages .message")).ToHaveCountAsync(2);

        // The server is gone: the page says so in words.
        await app.App.StopAsync();
        await page.Locator("#retry").ClickAsync();
        await Assertions.Expect(alert).ToContainTextAsync("Could not reach the server. Check your connection, then try again.");
        await Assertions.Expect(box).ToHaveValueAsync("One more?");
        await Assertions.Expect(page.Locator("#messages .streaming")).ToHaveCountAsync(0);
        Assert.Multiple(async () =>
        {
            Assert.That(await page.Locator("body").TextContentAsync(), Does.Not.Contain("Failed to fetch").And.Not.Contain("POST /session"));
            Assert.That(chromium.Problems, Is.Empty);
        });
    }

    [Test]
    public async Task ChatApp_PhoneInDarkMode_FitsTheScreenAndSwitchesBetweenConversations()
    {
        await using var app = await ChatPageApp.StartAsync();
        var longLine = string.Concat(Enumerable.Repeat("0123456789", 20));
        app.Model.OnGetStreamingResponse = (messages, _, ct) =>
            Pieces([$"Answer to: {LastQuestion(messages)} {longLine}\n\n```\n{longLine}\n```"], ct);

        await using var chromium = await HeadlessChromium.LaunchAsync(new()
        {
            ViewportSize = new() { Width = 390, Height = 844 },
            ColorScheme = ColorScheme.Dark,
        });
        var page = chromium.Page;
        await page.GotoAsync(app.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        Assert.That(await BackgroundAsync(page), Is.EqualTo("rgb(20, 23, 28)"), "the system's dark scheme applies");

        await AskAsync(page, "First question");
        await ExpectFitsAsync(page);
        await chromium.ScreenshotAsync("chat-app-phone-dark");

        // New chat: a new session; the first stays in the list, and switching back shows its turns.
        var first = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        await page.Locator("#new-chat").ClickAsync();
        await Assertions.Expect(page.Locator("#session-id")).Not.ToHaveTextAsync(first);
        await Assertions.Expect(page.Locator("#messages .message")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#conversations .conversation")).ToHaveCountAsync(2);
        await AskAsync(page, "Second question");
        var second = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        await Assertions.Expect(page.Locator($"#conversations .conversation[data-session-id='{first}']")).ToHaveTextAsync("First question");

        await page.Locator($"#conversations .conversation[data-session-id='{first}']").ClickAsync();
        await Assertions.Expect(page.Locator("#session-id")).ToHaveTextAsync(first);
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["First question"]);
        await Assertions.Expect(page.Locator("#history .turn")).ToHaveCountAsync(1);
        await page.Locator($"#conversations .conversation[data-session-id='{second}']").ClickAsync();
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["Second question"]);
        await ExpectFitsAsync(page);

        // Rename (kept in this browser while the server has no list) and delete, once confirmed: the other one opens.
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Type);
            await dialog.AcceptAsync(dialog.Type == "prompt" ? "Bitcoin basics" : null);
        };
        await page.Locator($"#conversations li:has(.conversation[data-session-id='{first}']) .rename").ClickAsync();
        await Assertions.Expect(page.Locator($"#conversations .conversation[data-session-id='{first}']")).ToHaveTextAsync("Bitcoin basics");
        await page.Locator($"#conversations li:has(.conversation[data-session-id='{second}']) .delete").ClickAsync();
        await Assertions.Expect(page.Locator("#conversations .conversation")).ToHaveTextAsync(["Bitcoin basics"]);
        await Assertions.Expect(page.Locator("#session-id")).ToHaveTextAsync(first);
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["First question"]);
        Assert.Multiple(async () =>
        {
            Assert.That(dialogs, Is.EqualTo(new[] { "prompt", "confirm" }));
            Assert.That(await app.Store.ExistsAsync(second), Is.False, "the deleted conversation is gone from the server");
            Assert.That(await app.Store.ExistsAsync(first), Is.True);
        });

        // The toggle chooses light over the system's dark, and the choice outlives a reload.
        await page.Locator("#theme-toggle").ClickAsync();
        Assert.That(await BackgroundAsync(page), Is.EqualTo("rgb(245, 246, 248)"));
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        Assert.Multiple(async () =>
        {
            Assert.That(await BackgroundAsync(page), Is.EqualTo("rgb(245, 246, 248)"));
            Assert.That(await page.Locator("#session-id").TextContentAsync(), Is.EqualTo(first), "a reload opens the conversation last used");
            Assert.That(await page.Locator("#conversations .conversation").AllTextContentsAsync(), Is.EqualTo(new[] { "Bitcoin basics" }));
            Assert.That(chromium.Problems, Is.Empty);
        });
    }

    private static async Task ExpectRenderedMarkdownAsync(IPage page, ILocator answer)
    {
        await Assertions.Expect(answer.Locator("pre code")).ToHaveTextAsync("for (var i = 0; i < 3; i++) { }\n");
        await Assertions.Expect(answer.Locator("strong")).ToHaveTextAsync("loop");

        // Raw HTML is shown as the text the model wrote, never as elements; a javascript: link loses its target.
        await Assertions.Expect(answer).ToContainTextAsync("<img src=\"\" onerror=\"window.injected = 'onerror'\">");
        await Assertions.Expect(answer.Locator("a")).ToHaveCountAsync(2);
        Assert.Multiple(async () =>
        {
            Assert.That(await answer.Locator("script, img, [onerror]").CountAsync(), Is.Zero);
            Assert.That(await answer.Locator("a").Nth(0).GetAttributeAsync("href"), Is.Null, "DOMPurify removed the javascript: URL");
            Assert.That(await answer.Locator("a").Nth(1).GetAttributeAsync("href"), Is.EqualTo("https://example.org/docs"));
            Assert.That(await answer.Locator("a").Nth(1).GetAttributeAsync("rel"), Is.EqualTo("noopener noreferrer"));
            Assert.That(await page.EvaluateAsync<bool>("() => window.injected === undefined"), Is.True, "no script of the answer ran");
        });
    }

    internal static async Task ExpectFitsAsync(IPage page)
    {
        var send = await page.Locator("#send").BoundingBoxAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(390), "no horizontal scrolling");
            Assert.That(send, Is.Not.Null, "Send is shown");
            Assert.That(send!.X, Is.GreaterThanOrEqualTo(0));
            Assert.That(send.X + send.Width, Is.LessThanOrEqualTo(390), "Send is within the screen's width");
        });
    }

    internal static async Task AskAsync(IPage page, string question)
    {
        var answers = await page.Locator("#messages .bubble.agent").CountAsync();
        await page.Locator("#query").FillAsync(question);
        await page.Locator("#send").ClickAsync();
        await Assertions.Expect(page.Locator("#messages .bubble.agent")).ToHaveCountAsync(answers + 1);
        await Assertions.Expect(page.Locator("#messages .bubble.agent").Last).Not.ToHaveClassAsync(new Regex("streaming"));
        await Assertions.Expect(page.Locator("#messages .bubble.agent").Last).ToContainTextAsync("Answer to: " + question);
        await Assertions.Expect(page.Locator("#history .turn").Last.Locator(".q")).ToContainTextAsync(question);
    }

    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

    internal static string LastQuestion(IEnumerable<ChatMessage> messages) => messages.Last(m => m.Role == ChatRole.User).Text;

    internal static async IAsyncEnumerable<ChatResponseUpdate> Pieces(
        string[] pieces, [EnumeratorCancellation] CancellationToken ct, SemaphoreSlim? wait = null)
    {
        foreach (var piece in pieces)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece);
        }

        if (wait is not null)
        {
            await wait.WaitAsync(ct);
        }
    }

    /// <summary>An in-memory store whose backend can be taken down: every session lookup then fails as an unreachable Redis does.</summary>
    private sealed class SwitchableSessionStore() : DelegatingSessionStore(new InMemorySessionStore())
    {
        private volatile bool _down;

        public bool Down
        {
            get => _down;
            set => _down = value;
        }

        public override Task<SessionMetadata?> GetMetadataAsync(string sessionId, CancellationToken cancellationToken = default) =>
            Down ? throw Unavailable(sessionId) : base.GetMetadataAsync(sessionId, cancellationToken);

        public override Task<bool> CreateAsync(string sessionId, string? owner = null, CancellationToken cancellationToken = default) =>
            Down ? throw Unavailable(sessionId) : base.CreateAsync(sessionId, owner, cancellationToken);

        private static SessionStoreUnavailableException Unavailable(string sessionId) =>
            new(UnavailableSessionStore.Message, "127.0.0.1:6390", sessionId, innerException: null);
    }
}
