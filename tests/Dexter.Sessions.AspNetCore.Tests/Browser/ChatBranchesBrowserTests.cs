using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Dexter.Sessions.AspNetCore.Tests.ChatAppBrowserTests;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>
/// The web sample's chat page, in the system's headless chromium against the endpoints on a real Kestrel server: regenerate
/// the last answer (POST /session/rewind, then the same question), edit an earlier question in a branch (POST /session/fork,
/// then the edited question) with a way back to the original, and a sidebar that pages through GET /sessions. The caller
/// has an API key, so the server lists its sessions. Each test fails on any uncaught page error or console error.
/// </summary>
[NonParallelizable]
public sealed class ChatBranchesBrowserTests
{
    private const string ApiKey = "the-api-key-of-the-branches-test";

    /// <summary>The owner the endpoints give a caller with the API key.</summary>
    private const string EndpointOwner = "api-key";

    /// <summary>The page's page size of GET /sessions (LIST_PAGE in chat.js).</summary>
    private const int ListPage = 20;

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["BACKEND_API_KEY"] = ApiKey,
        ["Dexter:Sessions:RateLimit:ClientPermitsPerMinute"] = "0",
    };

    [Test]
    public async Task ChatBranches_RegenerateAndEdit_ReplaceTheLastAnswerAndBranchWithAWayBack()
    {
        await using var app = await ChatPageApp.StartAsync(settings: Settings);
        var takes = 0;
        app.Model.OnGetStreamingResponse = (messages, _, ct) =>
            Pieces([$"Answer to: {LastQuestion(messages)} (take {Interlocked.Increment(ref takes)})"], ct);

        await using var chromium = await HeadlessChromium.LaunchAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await OpenAsync(chromium, app);
        await AskAsync(page, "What is Bitcoin?");
        await AskAsync(page, "Who made it?");
        var original = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        await Assertions.Expect(page.Locator("#branch-notice")).ToBeHiddenAsync();

        // Regenerate is on the last answer only, and a keyboard reaches it.
        var regenerate = page.Locator("#messages .regenerate");
        var lastAnswer = page.Locator("#messages .bubble.agent").Last;
        await Assertions.Expect(regenerate).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#messages .message.agent").Last.Locator(".regenerate")).ToHaveCountAsync(1);
        await Assertions.Expect(regenerate).ToHaveAttributeAsync("aria-label", "Regenerate this answer (replaces it)");
        await Assertions.Expect(lastAnswer).ToHaveTextAsync("Answer to: Who made it? (take 2)");
        await regenerate.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        // The new answer takes the old one's place; the conversation still has two turns, on the page and on the server.
        await Assertions.Expect(lastAnswer).ToHaveTextAsync("Answer to: Who made it? (take 3)");
        await Assertions.Expect(lastAnswer).Not.ToHaveClassAsync(new Regex("streaming"));
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["What is Bitcoin?", "Who made it?"]);
        await Assertions.Expect(page.Locator("#messages .message")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#history-count")).ToHaveTextAsync("2 turns in conversation");
        await Assertions.Expect(regenerate).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#alert")).ToBeHiddenAsync();
        var regenerated = await HistoryAsync(app, original);
        Assert.Multiple(() =>
        {
            Assert.That((int)regenerated["turns"]!, Is.EqualTo(2));
            Assert.That(Turns(regenerated, "id"), Is.EqualTo(new[] { "1", "2" }));
            Assert.That(Turns(regenerated, "answer"), Is.EqualTo(new[] { "Answer to: What is Bitcoin? (take 1)", "Answer to: Who made it? (take 3)" }));
        });
        await chromium.ScreenshotAsync("chat-branches-regenerated");

        // Another device adds a turn: Regenerate on this page removes nothing, says why, and Reload shows the turn.
        await app.Store.AppendAsync(original, new Message { Query = "And from another device?", Answer = "Answered elsewhere.", CreatedAt = DateTimeOffset.UtcNow });
        await regenerate.ClickAsync();
        await Assertions.Expect(page.Locator("#alert[role=alert]")).ToContainTextAsync("someone else added a turn");
        await Assertions.Expect(page.Locator("#retry")).ToHaveTextAsync("Reload");
        await Assertions.Expect(lastAnswer).ToHaveTextAsync("Answer to: Who made it? (take 3)");
        Assert.That((await app.Store.GetAsync(original))!.Count, Is.EqualTo(3), "the refused rewind removed nothing");
        await chromium.ScreenshotAsync("chat-branches-conflict");
        await page.Locator("#retry").ClickAsync();
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["What is Bitcoin?", "Who made it?", "And from another device?"]);
        await Assertions.Expect(page.Locator("#alert")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#messages .message.agent").Last.Locator(".regenerate")).ToHaveCountAsync(1);

        // Edit on every question; Cancel leaves the question as it was.
        var secondQuestion = page.Locator("#messages .message.user").Nth(1);
        await Assertions.Expect(page.Locator("#messages .message.user .edit")).ToHaveCountAsync(3);
        await secondQuestion.Locator(".edit").ClickAsync();
        var editBox = secondQuestion.GetByRole(AriaRole.Textbox, new() { Name = "Edited question" });
        await Assertions.Expect(editBox).ToBeFocusedAsync();
        await Assertions.Expect(editBox).ToHaveValueAsync("Who made it?");
        await secondQuestion.GetByRole(AriaRole.Button, new() { Name = "Cancel the edit" }).ClickAsync();
        await Assertions.Expect(secondQuestion.Locator(".edit-box")).ToHaveCountAsync(0);
        await Assertions.Expect(secondQuestion.Locator(".bubble")).ToBeVisibleAsync();
        await Assertions.Expect(secondQuestion.Locator(".edit")).ToBeFocusedAsync();

        // Save: a branch with the first turn and the edited question (two lines, as typed) opens and is answered.
        await page.Keyboard.PressAsync("Enter");
        await editBox.FillAsync("Who made it, and when?\nIn one line.");
        await chromium.ScreenshotAsync("chat-branches-editing");
        await secondQuestion.GetByRole(AriaRole.Button, new() { Name = "Save and ask the edited question in a new branch" }).ClickAsync();
        await Assertions.Expect(page.Locator("#session-id")).Not.ToHaveTextAsync(original);
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["What is Bitcoin?", "Who made it, and when?\nIn one line."]);
        await Assertions.Expect(lastAnswer.Locator("br")).ToHaveCountAsync(1);   // the answer's Markdown line break
        await Assertions.Expect(lastAnswer).ToHaveTextAsync("Answer to: Who made it, and when?In one line. (take 4)");
        await Assertions.Expect(lastAnswer).Not.ToHaveClassAsync(new Regex("streaming"));
        var branch = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        await Assertions.Expect(page.Locator("#session-id")).ToHaveTextAsync(branch);

        // The branch says where it came from, and the sidebar lists both, the branch marked.
        await Assertions.Expect(page.Locator("#branch-notice")).ToHaveTextAsync("Branched from What is Bitcoin?");
        await Assertions.Expect(page.Locator("#conversations .conversation")).ToHaveCountAsync(2);
        var branchItem = page.Locator($"#conversations .conversation[data-session-id='{branch}']");
        await Assertions.Expect(page.Locator("#conversations li.branch")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#conversations li.branch .conversation")).ToHaveAttributeAsync("data-session-id", branch);
        await Assertions.Expect(branchItem).ToHaveAttributeAsync("aria-current", "true");
        await Assertions.Expect(branchItem).ToHaveAttributeAsync("data-forked-from", original);
        await Assertions.Expect(branchItem.Locator(".branch-mark")).ToHaveTextAsync("↳");
        await Assertions.Expect(branchItem).ToHaveAccessibleNameAsync("What is Bitcoin? (branch)");
        await Assertions.Expect(branchItem).ToHaveAttributeAsync("title", "What is Bitcoin? (branched from What is Bitcoin?)");
        await Assertions.Expect(page.Locator($"#conversations .conversation[data-session-id='{original}'] .branch-mark")).ToHaveCountAsync(0);
        await chromium.ScreenshotAsync("chat-branches-branch");

        // On the server: the original keeps its three turns, the branch has the first one and the edited question.
        var originalHistory = await HistoryAsync(app, original);
        var branchHistory = await HistoryAsync(app, branch);
        var listed = (await GetJsonAsync(app, "/agent/sessions"))["items"]!.AsArray().Single(i => (string?)i!["session_id"] == branch)!;
        Assert.Multiple(() =>
        {
            Assert.That(Turns(originalHistory, "query"), Is.EqualTo(new[] { "What is Bitcoin?", "Who made it?", "And from another device?" }));
            Assert.That(Turns(originalHistory, "answer")[1], Is.EqualTo("Answer to: Who made it? (take 3)"));
            Assert.That(Turns(branchHistory, "query"), Is.EqualTo(new[] { "What is Bitcoin?", "Who made it, and when?\nIn one line." }));
            Assert.That(((string?)listed["forked_from_session_id"], (int?)listed["forked_from_turn_id"]), Is.EqualTo((original, (int?)1)));
        });

        // The way back: the notice opens the original, which is no branch; the sidebar opens the branch again.
        await page.Locator("#branch-origin").ClickAsync();
        await Assertions.Expect(page.Locator("#session-id")).ToHaveTextAsync(original);
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["What is Bitcoin?", "Who made it?", "And from another device?"]);
        await Assertions.Expect(page.Locator("#branch-notice")).ToBeHiddenAsync();
        await branchItem.ClickAsync();
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["What is Bitcoin?", "Who made it, and when?\nIn one line."]);
        await Assertions.Expect(page.Locator("#branch-notice")).ToBeVisibleAsync();

        // A reload keeps all of it.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Assertions.Expect(page.Locator("#session-id")).ToHaveTextAsync(branch);
        await Assertions.Expect(page.Locator("#branch-notice")).ToHaveTextAsync("Branched from What is Bitcoin?");
        await Assertions.Expect(page.Locator("#conversations li.branch")).ToHaveCountAsync(1);
        Assert.That(chromium.Problems, Is.Empty);
    }

    [Test]
    public async Task ChatBranches_PhoneWithMoreConversationsThanAPage_ShowMoreReachesThemAllAndAnEditedFirstQuestionBranches()
    {
        await using var app = await ChatPageApp.StartAsync(settings: Settings);
        for (var i = 1; i <= ListPage + 5; i++)
        {
            var sessionId = SessionId.New();
            await app.Store.CreateAsync(sessionId, EndpointOwner);
            await app.Store.AppendAsync(sessionId, new Message { Query = $"Old question {i}", Answer = $"Old answer {i}", CreatedAt = DateTimeOffset.UtcNow });
            await app.Store.SetTitleAsync(sessionId, $"Conversation {i:00}", SessionTitleSource.Question);
        }

        await using var chromium = await HeadlessChromium.LaunchAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        var page = await OpenAsync(chromium, app);

        // The page started a conversation of its own: 26 in all, 20 on the first page, the rest after "Show more".
        var conversations = page.Locator("#conversations .conversation");
        var more = page.GetByRole(AriaRole.Button, new() { Name = "Show more conversations" });
        await Assertions.Expect(conversations).ToHaveCountAsync(ListPage);
        await Assertions.Expect(more).ToBeVisibleAsync();
        await ExpectFitsAsync(page);
        await more.ClickAsync();
        await Assertions.Expect(conversations).ToHaveCountAsync(ListPage + 6);
        await Assertions.Expect(more).ToBeHiddenAsync();
        var titles = await page.Locator("#conversations .conversation .title").AllTextContentsAsync();
        Assert.That(titles, Is.EquivalentTo(Enumerable.Range(1, ListPage + 5).Select(i => $"Conversation {i:00}").Append("New conversation")));
        await ExpectFitsAsync(page);

        // One of the second page opens; its first question, edited, starts a branch through turn 0.
        var third = page.Locator("#conversations .conversation", new() { HasTextRegex = new Regex("^Conversation 03$") });
        var thirdId = await third.GetAttributeAsync("data-session-id");
        await third.ClickAsync();
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["Old question 3"]);
        await page.Locator("#messages .message.user .edit").ClickAsync();
        var editBox = page.GetByRole(AriaRole.Textbox, new() { Name = "Edited question" });
        await editBox.FillAsync("Old question 3, asked better");
        await ExpectFitsAsync(page);
        await page.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator("#session-id")).Not.ToHaveTextAsync(thirdId!);
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["Old question 3, asked better"]);
        await Assertions.Expect(page.Locator("#messages .bubble.agent")).ToHaveTextAsync(["Answer to: Old question 3, asked better"]);
        await Assertions.Expect(page.Locator("#branch-notice")).ToHaveTextAsync("Branched from Conversation 03");
        var branch = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");

        // Every conversation is still listed (the list shows as many as before, and the new branch), the branch marked.
        await Assertions.Expect(conversations).ToHaveCountAsync(ListPage + 7);
        await Assertions.Expect(page.Locator("#conversations li.branch .conversation")).ToHaveAttributeAsync("data-session-id", branch);
        await ExpectFitsAsync(page);
        await chromium.ScreenshotAsync("chat-branches-phone");
        var branchHistory = await HistoryAsync(app, branch);
        var thirdHistory = await HistoryAsync(app, thirdId!);
        Assert.Multiple(() =>
        {
            Assert.That(Turns(branchHistory, "query"), Is.EqualTo(new[] { "Old question 3, asked better" }));
            Assert.That(Turns(thirdHistory, "query"), Is.EqualTo(new[] { "Old question 3" }), "the original is unchanged");
        });

        // Back to the original, by keyboard.
        await page.Locator("#branch-origin").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#session-id")).ToHaveTextAsync(thirdId!);
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["Old question 3"]);
        await ExpectFitsAsync(page);
        Assert.That(chromium.Problems, Is.Empty);
    }

    [Test]
    public async Task ChatBranches_WithoutAServerList_BranchesInThisBrowsersListAndAStoppedTurnCanBeRegenerated()
    {
        // No API key: the caller has no identity, GET /sessions is 403, and the sidebar is this browser's list.
        await using var app = await ChatPageApp.StartAsync();
        await using var chromium = await HeadlessChromium.LaunchAsync(new()
        {
            ViewportSize = new() { Width = 390, Height = 844 },
            ColorScheme = ColorScheme.Dark,
        });
        var page = chromium.Page;

        // GET /history as the server gives it once a stopped stream's turn is recorded: that turn with "interrupted": true.
        var interrupted = 0;
        await page.RouteAsync("**/agent/history?*", async route =>
        {
            if (route.Request.Method != "GET" || Volatile.Read(ref interrupted) == 0)
            {
                await route.ContinueAsync();
                return;
            }

            var response = await route.FetchAsync();
            var history = JsonNode.Parse(await response.TextAsync())!.AsObject();
            foreach (var message in history["messages"]!.AsArray())
            {
                message!["interrupted"] = (int)message["id"]! == Volatile.Read(ref interrupted);
            }

            await route.FulfillAsync(new() { Response = response, Body = history.ToJsonString() });
        });
        await page.GotoAsync(app.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await AskAsync(page, "First question");
        await AskAsync(page, "Second question");
        var original = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");

        // The recorded turn 2 was stopped: after a reload it shows as such, and Regenerate is on it.
        Volatile.Write(ref interrupted, 2);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        var last = page.Locator("#messages .message.agent").Last;
        await Assertions.Expect(last.Locator(".bubble")).ToHaveClassAsync(new Regex("stopped"));
        await Assertions.Expect(last.Locator(".meta .state")).ToHaveTextAsync("stopped");
        await Assertions.Expect(page.Locator("#messages .regenerate")).ToHaveCountAsync(1);
        await last.Locator(".regenerate").ClickAsync();
        await Assertions.Expect(last.Locator(".bubble")).ToHaveTextAsync("Answer to: Second question");
        await Assertions.Expect(last.Locator(".bubble")).Not.ToHaveClassAsync(new Regex("stopped|streaming"));
        await Assertions.Expect(page.Locator("#messages .message")).ToHaveCountAsync(4);
        Assert.That((await app.Store.GetAsync(original))!.GetAll().Select(t => t.Id), Is.EqualTo(new[] { 1, 2 }));
        Volatile.Write(ref interrupted, 0);

        // Edit the first question: a branch through turn 0, listed in this browser, marked, with its way back.
        await page.Locator("#messages .message.user").First.Locator(".edit").ClickAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Edited question" }).FillAsync("First question, edited");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save and ask the edited question in a new branch" }).ClickAsync();
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["First question, edited"]);
        await Assertions.Expect(page.Locator("#messages .bubble.agent")).ToHaveTextAsync(["Answer to: First question, edited"]);
        await Assertions.Expect(page.Locator("#branch-notice")).ToHaveTextAsync("Branched from First question");
        await Assertions.Expect(page.Locator("#conversations .conversation .title")).ToHaveTextAsync(["First question, edited", "First question"]);
        await Assertions.Expect(page.Locator("#conversations li.branch .title")).ToHaveTextAsync("First question, edited");
        await Assertions.Expect(page.Locator("#more-conversations")).ToBeHiddenAsync();
        var branch = await page.EvaluateAsync<string>("() => localStorage.getItem('sessionId')");
        await ExpectFitsAsync(page);
        await chromium.ScreenshotAsync("chat-branches-phone-dark-local");
        Assert.Multiple(async () =>
        {
            Assert.That((await app.Store.GetAsync(branch))!.GetAll().Select(t => t.Query), Is.EqualTo(new[] { "First question, edited" }));
            Assert.That((await app.Store.GetAsync(original))!.GetAll().Select(t => t.Query), Is.EqualTo(new[] { "First question", "Second question" }));
        });

        await page.Locator("#branch-origin").ClickAsync();
        await Assertions.Expect(page.Locator("#session-id")).ToHaveTextAsync(original);
        await Assertions.Expect(page.Locator("#messages .bubble.user")).ToHaveTextAsync(["First question", "Second question"]);
        await Assertions.Expect(page.Locator("#branch-notice")).ToBeHiddenAsync();
        await ExpectFitsAsync(page);
        Assert.That(chromium.Problems, Is.Empty);
    }

    private static async Task<IPage> OpenAsync(HeadlessChromium chromium, TestApp app)
    {
        var page = chromium.Page;
        await page.AddInitScriptAsync($"localStorage.setItem('apiKey', '{ApiKey}')");
        await page.GotoAsync(app.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        return page;
    }

    private static Task<JsonObject> HistoryAsync(TestApp app, string sessionId) =>
        GetJsonAsync(app, $"/agent/history?session_id={sessionId}&limit=50");

    private static async Task<JsonObject> GetJsonAsync(TestApp app, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-API-Key", ApiKey);
        using var response = await app.Client.SendAsync(request);
        Assert.That(response.IsSuccessStatusCode, Is.True, $"GET {path}: {(int)response.StatusCode}");
        return await response.ReadJsonAsync();
    }

    private static string[] Turns(JsonObject history, string field) =>
        [.. history["messages"]!.AsArray().Select(m => m![field]!.ToString())];
}
