using Dexter.Sessions.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using Dexter.Sessions.Redis.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Redis.Tests;

/// <summary>Outages, crashes and several processes: each test runs its own redis-server.</summary>
[TestFixture]
public sealed class RedisSessionStoreResilienceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private static Message Turn(string query) => new() { Query = query, Answer = "answer", CreatedAt = DateTimeOffset.UtcNow };

    private static Action<RedisSessionStoreOptions> ShortTimeouts => o =>
    {
        o.ConnectTimeout = Timeout;
        o.OperationTimeout = Timeout;
    };

    [Test]
    public async Task EveryCall_ServerStopped_ThrowsSessionStoreUnavailableWithinTheTimeout_AndTheSameStoreWorksOnceItIsBack()
    {
        await using var server = await RedisServer.StartAsync();
        await using var store = RedisStores.Create(server.Endpoint, ShortTimeouts);
        var id = SessionId.New();
        await store.AppendAsync(id, Turn("before"));

        server.Kill();
        var watch = Stopwatch.StartNew();
        var append = Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.AppendAsync(id, Turn("during")));
        var appendTook = watch.Elapsed;
        var read = Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.GetRecentAsync(id, 5));
        await TestContext.Out.WriteLineAsync($"{appendTook.TotalMilliseconds:0} ms: {append?.Message}");

        Assert.Multiple(() =>
        {
            Assert.That(appendTook, Is.LessThan(Timeout + TimeSpan.FromSeconds(1.5)), "fails within the timeout, does not hang");
            Assert.That(append!.Endpoint, Is.EqualTo(server.Endpoint));
            Assert.That(append.SessionId, Is.EqualTo(id));
            Assert.That(append.Message, Does.Contain(server.Endpoint).And.Contain("REDIS_URL").And.Contain("redis-server is running"));
            Assert.That(read!.Endpoint, Is.EqualTo(server.Endpoint));
        });

        await server.RestartAsync();
        var recovered = await EventuallyAsync(() => store.AppendAsync(id, Turn("after")));

        Assert.Multiple(async () =>
        {
            Assert.That(recovered.Id, Is.EqualTo(1), "the restarted server kept nothing (no persistence here)");
            Assert.That((await store.GetAsync(id))!.GetAll().Select(t => t.Query), Is.EqualTo(new[] { "after" }));
        });
    }

    [Test]
    public async Task FirstCall_ServerDownAtStartup_ThrowsSessionStoreUnavailable_AndTheSameStoreWorksOnceItIsUp()
    {
        await using var server = await RedisServer.StartAsync();
        server.Kill();
        await using var store = RedisStores.Create(server.Endpoint, ShortTimeouts);

        var watch = Stopwatch.StartNew();
        var exception = Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.ExistsAsync(SessionId.New()));
        var took = watch.Elapsed;

        Assert.Multiple(() =>
        {
            Assert.That(took, Is.LessThan(Timeout + TimeSpan.FromSeconds(1.5)));
            Assert.That(exception!.Message, Does.Contain(server.Endpoint));
        });

        await server.RestartAsync();
        var appended = await EventuallyAsync(() => store.AppendAsync(SessionId.New(), Turn("q")));

        Assert.That(appended.Id, Is.EqualTo(1));
    }

    [Test]
    public async Task AppendAsync_ServerKilledWithAppendFsyncAlways_KeepsEveryAcknowledgedTurnAfterRestart()
    {
        await using var server = await RedisServer.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        var options = RedisStores.Options(server.Endpoint, o => o.OperationTimeout = TimeSpan.FromSeconds(2));
        var id = SessionId.New();
        var acknowledged = new ConcurrentBag<int>();
        await using (var store = new RedisSessionStore(Options.Create(options)))
        {
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < 100_000; i++)
                {
                    try
                    {
                        acknowledged.Add((await store.AppendAsync(id, Turn($"w{w}-{i}"))).Id);
                    }
                    catch (SessionStoreException)
                    {
                        return; // the server is gone
                    }
                }
            })).ToArray();

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (acknowledged.Count < 400 && DateTime.UtcNow < deadline && !writers.All(w => w.IsCompleted))
            {
                await Task.Delay(10);
            }

            server.Kill(); // SIGKILL while the writers are still appending
            await Task.WhenAll(writers);
        }

        await server.RestartAsync();
        await using var reader = new RedisSessionStore(Options.Create(options));
        var stored = (await reader.GetAsync(id))!.GetAll().Select(t => t.Id).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(acknowledged, Has.Count.GreaterThanOrEqualTo(400));
            Assert.That(stored, Is.SupersetOf(acknowledged), "every acknowledged turn survived");
            Assert.That(stored, Is.EqualTo(Enumerable.Range(1, stored.Length)), "ids stay contiguous");
        });
    }

    [Test]
    public async Task AppendAsync_TwoProcessesOfEightTasks_KeepExactly8000TurnsWithIdsOneTo8000()
    {
        const int Processes = 2, Tasks = 8, Appends = 500, Total = Processes * Tasks * Appends;
        await using var server = await RedisServer.StartAsync();
        var options = RedisStores.Options(server.Endpoint);
        var id = SessionId.New();

        var writers = new List<Process>();
        try
        {
            for (var p = 0; p < Processes; p++)
            {
                writers.Add(StartWriter(server.Endpoint, options.KeyPrefix, id, Tasks, Appends, "p" + p));
            }

            foreach (var writer in writers)
            {
                Assert.That(await writer.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"), "the writer connected");
            }

            foreach (var writer in writers)
            {
                await writer.StandardInput.WriteLineAsync("go"); // start both together
                await writer.StandardInput.FlushAsync();
            }

            var assigned = new List<int>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            foreach (var writer in writers)
            {
                var output = await writer.StandardOutput.ReadToEndAsync(timeout.Token);
                await writer.WaitForExitAsync(timeout.Token);
                Assert.That(writer.ExitCode, Is.Zero, await writer.StandardError.ReadToEndAsync());
                assigned.AddRange(output.Trim().Split(',').Select(int.Parse));
            }

            await using var store = new RedisSessionStore(Options.Create(options));
            var stored = (await store.GetAsync(id))!.GetAll();

            Assert.Multiple(async () =>
            {
                Assert.That(assigned.Order(), Is.EqualTo(Enumerable.Range(1, Total)), "ids handed out across processes");
                Assert.That(stored.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, Total)), "ids stored, in order");
                Assert.That(stored.Select(t => t.Query).Distinct().Count(), Is.EqualTo(Total), "every turn kept once");
                Assert.That((await store.GetMetadataAsync(id))!.TurnCount, Is.EqualTo(Total));
            });
        }
        finally
        {
            foreach (var writer in writers)
            {
                if (!writer.HasExited)
                {
                    writer.Kill(entireProcessTree: true);
                }

                writer.Dispose();
            }
        }
    }

    private static Process StartWriter(string configuration, string prefix, string sessionId, int tasks, int appends, string name)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "Dexter.Sessions.Redis.Tests.Writer.dll");
        Assert.That(File.Exists(writer), Is.True, $"{writer} is built with the tests");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return Process.Start(new ProcessStartInfo(dotnet)
        {
            ArgumentList = { writer, configuration, prefix, sessionId, tasks.ToString(), appends.ToString(), name },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (SessionStoreUnavailableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
