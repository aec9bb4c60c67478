using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Dexter.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dexter.Sessions.AspNetCore.Benchmarks;

/// <summary>
/// The server's overhead on <c>POST /agent/query</c> with a model that answers at once, beside a bare minimal-API endpoint
/// that reads the same body and only appends the same turn to the same store; one Kestrel server on loopback serves both.
/// <c>Sequential</c>: one request at a time (the median is the p50 latency). <c>Concurrent16</c>: 16 requests in flight,
/// reported per request (1 / mean = requests per second).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[MedianColumn]
[MemoryDiagnoser(displayGenColumns: false)]
public class QueryEndpointBenchmarks
{
    private const int Concurrency = 16;
    private const string Answer = "Bitcoin is a decentralized digital currency.";

    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string _querySession = null!;
    private string _bareSession = null!;
    private byte[] _queryBody = null!;
    private byte[] _bareBody = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.AddChatClient(new InstantChatClient());
        builder.Services.AddDexterSessions().AddEndpoints(o => o.RateLimitPermitsPerMinute = 0);
        _app = builder.Build();
        _app.MapDexterSessions("/agent");
        _app.MapPost("/bare", static async (HttpContext context, ISessionStore store) =>
        {
            var request = await context.Request.ReadFromJsonAsync(BareJsonContext.Default.BareRequest, context.RequestAborted);
            var turn = await store.AppendAsync(request!.SessionId, new Message { Query = request.Query, Answer = Answer, Summary = request.Query }, context.RequestAborted);
            return Results.Json(new BareResponse(turn.Id), BareJsonContext.Default.BareResponse);
        });
        await _app.StartAsync();

        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _client = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = Concurrency }) { BaseAddress = new Uri(address) };
        _querySession = SessionId.New();
        _bareSession = SessionId.New();
        var store = _app.Services.GetRequiredService<ISessionStore>();
        await store.CreateAsync(_querySession);
        await store.CreateAsync(_bareSession);
        _queryBody = Encoding.UTF8.GetBytes($"{{\"query\":\"What is Bitcoin?\",\"session_id\":\"{_querySession}\"}}");
        _bareBody = Encoding.UTF8.GetBytes($"{{\"query\":\"What is Bitcoin?\",\"session_id\":\"{_bareSession}\"}}");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "bare append")]
    [BenchmarkCategory("Sequential")]
    public Task<int> BareSequential() => SendAsync("/bare", _bareBody);

    [Benchmark(Description = "POST /agent/query")]
    [BenchmarkCategory("Sequential")]
    public Task<int> QuerySequential() => SendAsync("/agent/query", _queryBody);

    [Benchmark(Baseline = true, OperationsPerInvoke = Concurrency, Description = "bare append")]
    [BenchmarkCategory("Concurrent16")]
    public Task BareConcurrent() => Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => SendAsync("/bare", _bareBody)));

    [Benchmark(OperationsPerInvoke = Concurrency, Description = "POST /agent/query")]
    [BenchmarkCategory("Concurrent16")]
    public Task QueryConcurrent() => Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => SendAsync("/agent/query", _queryBody)));

    private async Task<int> SendAsync(string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await _client.PostAsync(path, content).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK ? bytes.Length : throw new InvalidOperationException($"{path} answered {response.StatusCode}.");
    }

    /// <summary>A model that answers at once, in one update.</summary>
    private sealed class InstantChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer)));

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask.ConfigureAwait(false);
            yield return new ChatResponseUpdate(ChatRole.Assistant, Answer);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
