using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dexter.Sessions.Testing;

namespace Dexter.Sessions.PostgreSql.Tests;

/// <summary>A server of its own, killed and restarted: acknowledged turns survive, calls fail in time, the store recovers.</summary>
[TestFixture]
[NonParallelizable]
public sealed class PostgreSqlSessionStoreResilienceTests
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(2);
    private PostgreSqlServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await PostgreSqlServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [SetUp]
    public async Task EnsureRunning()
    {
        await _server.SignalAsync("CONT");
        if (!_server.IsRunning)
        {
            await _server.StartServerAsync();
        }
    }

    private PostgreSqlSessionStore Store(string? connectionString = null) =>
        PostgreSqlStores.Create(connectionString ?? _server.ConnectionString, configure: o => (o.OperationTimeout, o.ConnectTimeout) = (OperationTimeout, OperationTimeout));

    private static Message Turn(string query) => new() { Query = query, Answer = "answer", CreatedAt = DateTimeOffset.UtcNow };

    [Test]
    public async Task AppendAsync_ServerKilledDuringWrites_EveryAcknowledgedTurnSurvivesTheRestart()
    {
        await using var store = Store();
        var sessionId = SessionId.New();
        var acknowledged = new ConcurrentDictionary<int, string>();
        using var enough = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                var query = $"w{t}-{i}";
                try
                {
                    var turn = await store.AppendAsync(sessionId, Turn(query));
                    acknowledged[turn.Id] = query;
                    if (acknowledged.Count >= 300)
                    {
                        await enough.CancelAsync();
                    }
                }
                catch (SessionStoreUnavailableException)
                {
                    return; // the server is gone: this append's outcome is unknown, and it was never acknowledged
                }
            }
        })).ToArray();

        await Task.Delay(Timeout.Infinite, enough.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        await _server.KillAsync();
        await Task.WhenAll(writers);
        await _server.StartServerAsync();
        var stored = (await store.GetAsync(sessionId))!.GetAll();

        Assert.Multiple(() =>
        {
            Assert.That(acknowledged, Has.Count.GreaterThanOrEqualTo(300));
            Assert.That(stored.Select(m => m.Id), Is.EqualTo(Enumerable.Range(1, stored.Count)), "ids without gaps or duplicates");
            var byId = stored.ToDictionary(m => m.Id, m => m.Query);
            Assert.That(acknowledged.Where(a => !byId.TryGetValue(a.Key, out var q) || q != a.Value).Select(a => a.Key), Is.Empty, "acknowledged turns lost");
        });
    }

    [Test]
    public async Task EveryCall_ServerDown_FailsWithinTheTimeoutNamingTheDatabase_AndWorksAgainAfterRestart()
    {
        await using var store = Store();
        await store.AppendAsync("down", Turn("before"));
        await _server.KillAsync();

        var watch = Stopwatch.StartNew();
        var failure = Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.AppendAsync("down", Turn("while down")));
        var elapsed = watch.Elapsed;
        Assert.That(() => store.GetRecentAsync("down", 5), Throws.TypeOf<SessionStoreUnavailableException>());
        Assert.That(() => store.ExistsAsync("down"), Throws.TypeOf<SessionStoreUnavailableException>());

        await _server.StartServerAsync();
        var after = await store.AppendAsync("down", Turn("after"));

        Assert.Multiple(() =>
        {
            Assert.That(elapsed, Is.LessThan(OperationTimeout + TimeSpan.FromSeconds(1)));
            Assert.That(failure!.Message, Does.Contain($"127.0.0.1:{_server.Port}/postgres"));
            Assert.That(failure.Message, Does.Contain("DEXTER_POSTGRES_URL"));
            Assert.That(failure.Endpoint, Is.EqualTo($"127.0.0.1:{_server.Port}/postgres"));
            Assert.That(after.Id, Is.EqualTo(2), "the turn written while down was refused, not kept");
        });
    }

    [Test]
    public async Task EveryCall_ServerHangs_FailsWithinTheTimeout_AndWorksAgainWhenItResumes()
    {
        await using var store = Store();
        await store.AppendAsync("hung", Turn("before"));
        await _server.SignalAsync("STOP");
        Stopwatch watch;
        TimeSpan elapsed;
        try
        {
            watch = Stopwatch.StartNew();
            Assert.That(() => store.GetRecentAsync("hung", 5), Throws.TypeOf<SessionStoreUnavailableException>().With.Message.Contains("did not answer within 2 s"));
            elapsed = watch.Elapsed;
        }
        finally
        {
            await _server.SignalAsync("CONT");
        }

        Assert.Multiple(async () =>
        {
            Assert.That(elapsed, Is.LessThan(OperationTimeout + TimeSpan.FromSeconds(1.5)));
            Assert.That((await store.GetRecentAsync("hung", 5)).Select(m => m.Query), Is.EqualTo(new[] { "before" }));
        });
    }

    [Test]
    public async Task Failure_ConnectionStringWithPassword_NeverShowsThePassword()
    {
        var port = RedisServer.FreePort();
        await using var store = Store(string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={port};Username=app;Password=s3cret-pw;Database=sessions"));

        var failure = Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.ExistsAsync("x"));

        Assert.Multiple(() =>
        {
            Assert.That(failure!.Message, Does.Contain($"127.0.0.1:{port}/sessions"));
            Assert.That(failure.ToString(), Does.Not.Contain("s3cret-pw"));
        });
    }
}
