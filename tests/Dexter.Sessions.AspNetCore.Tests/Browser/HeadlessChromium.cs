using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>
/// The system's chromium, headless, with one page; closed with the test. It collects the page's problems: uncaught errors
/// and console errors, except the browser's own note of a request that failed or answered an error status (the page
/// handles those, and the tests assert what it shows).
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string FailedRequestNote = "Failed to load resource: ";
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly ConcurrentQueue<string> _problems = new();

    private HeadlessChromium(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.PageError += (_, error) => _problems.Enqueue("page error: " + error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith(FailedRequestNote, StringComparison.Ordinal))
            {
                _problems.Enqueue("console error: " + message.Text);
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Gets the uncaught errors and console errors seen so far.</summary>
    public IReadOnlyList<string> Problems => [.. _problems];

    public static async Task<HeadlessChromium> LaunchAsync(BrowserNewPageOptions? options = null)
    {
        Assert.That(File.Exists(ChromiumPath), Is.True, "chromium is installed by eng/test.sh (apt-get install chromium)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(options);
        page.SetDefaultTimeout(30_000);
        return new HeadlessChromium(playwright, browser, page);
    }

    /// <summary>Saves a full-page screenshot in the test's work directory and attaches it to the test result.</summary>
    public async Task ScreenshotAsync(string name)
    {
        var directory = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
