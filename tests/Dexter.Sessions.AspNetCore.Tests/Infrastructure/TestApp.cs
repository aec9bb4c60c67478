using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dexter.Sessions.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.AspNetCore.Tests;

/// <summary>
/// A host with <c>AddDexterSessions().AddEndpoints()</c> and <c>MapDexterSessions("/agent")</c> over a <see cref="FakeChatClient"/>,
/// on a TestServer or on a real Kestrel server on a loopback port. Configuration comes only from the given settings: keys with a
/// colon are configuration keys, others bare environment variables (BACKEND_API_KEY, DEXTER_*) as the opt-in reads them.
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, HttpClient client, FakeChatClient model, CollectingLoggerProvider logs)
    {
        App = app;
        Client = client;
        Model = model;
        Logs = logs;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public FakeChatClient Model { get; }

    public CollectingLoggerProvider Logs { get; }

    public ISessionStore Store => App.Services.GetRequiredService<ISessionStore>();

    public Uri BaseAddress => Client.BaseAddress!;

    public static async Task<TestApp> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        bool kestrel = false,
        Action<WebApplication>? map = null,
        string? contentRoot = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ContentRootPath = contentRoot ?? AppContext.BaseDirectory,
            WebRootPath = contentRoot is null ? null : Path.Combine(contentRoot, "wwwroot"),
        });
        builder.Configuration.Sources.Clear();
        var all = new Dictionary<string, string?>();
        if (settings is null || !settings.Keys.Any(k => k.Contains("RATE_LIMIT", StringComparison.Ordinal) || k.Contains("RateLimit", StringComparison.Ordinal)))
        {
            all["Dexter:Sessions:RateLimit:PermitsPerMinute"] = "0";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        // The bare variable names (BACKEND_API_KEY, JWT_SECRET, …) reach the app as they do in the web sample: through the
        // opt-in, here over a fake environment. Keys with a colon are configuration keys.
        builder.Configuration.AddInMemoryCollection(all.Where(s => s.Key.Contains(':', StringComparison.Ordinal)));
        builder.Configuration.AddDexterSessionsEnvironmentVariables(
            all.Where(s => !s.Key.Contains(':', StringComparison.Ordinal)).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal));
        var logs = new CollectingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        if (kestrel)
        {
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        var model = new FakeChatClient();
        builder.Services.AddChatClient(model);
        builder.Services.AddDexterSessions().AddEndpoints();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        if (map is not null)
        {
            map(app);
        }
        else
        {
            app.MapDexterSessions("/agent");
            app.MapDexterSessionsHealthChecks();
        }

        await app.StartAsync();
        HttpClient client;
        if (kestrel)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        }
        else
        {
            client = app.GetTestClient();
        }

        return new TestApp(app, client, model, logs);
    }

    public async Task<string> CreateSessionAsync(Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/agent/session");
        configure?.Invoke(request);
        using var response = await Client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return (string)body!["session_id"]!;
    }

    public static HttpRequestMessage QueryRequest(string query, string? sessionId = null)
    {
        var body = new JsonObject { ["query"] = query };
        if (sessionId is not null)
        {
            body["session_id"] = sessionId;
        }

        return new HttpRequestMessage(HttpMethod.Post, "/agent/query")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>Sends a query and reads the whole event stream.</summary>
    public async Task<(HttpResponseMessage Response, List<JsonObject> Events)> QueryAsync(string query, string? sessionId = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = QueryRequest(query, sessionId);
        configure?.Invoke(request);
        var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = new List<JsonObject>();
        if (response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync();
            events.AddRange(SseParser.Parse(text));
        }

        return (response, events);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Splits a Server-Sent Events body into its events, checking the framing a client that splits on blank lines relies on.</summary>
internal static class SseParser
{
    public static IEnumerable<JsonObject> Parse(string text)
    {
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.That(block, Does.StartWith("data: "), "every event is one data: line");
            Assert.That(block, Does.Not.Contain('\n'), "every event is a single line");
            yield return JsonNode.Parse(block["data: ".Length..])!.AsObject();
        }
    }
}

/// <summary>Keeps every log entry of every category.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogEntry Entry)> _entries = new();

    public IReadOnlyList<(string Category, LogEntry Entry)> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogEntry)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((category, new LogEntry(logLevel, eventId, formatter(state, exception), exception)));
    }
}

internal static class JsonExtensions
{
    public static async Task<JsonObject> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}
