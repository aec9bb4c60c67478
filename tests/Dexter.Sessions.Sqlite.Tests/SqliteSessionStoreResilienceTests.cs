using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Dexter.Sessions.Sqlite.Tests;

[TestFixture]
public sealed class SqliteSessionStoreResilienceTests
{
    private TemporaryDatabase _database = null!;

    [SetUp]
    public void CreateDatabase() => _database = new TemporaryDatabase();

    [TearDown]
    public void DeleteDatabase() => _database.Dispose();

    private static Message Turn(string query) => new() { Query = query, Answer = "answer", CreatedAt = DateTimeOffset.UnixEpoch };

    [Test]
    public async Task AppendAsync_TwoProcessesOfEightTasks_KeepExactly8000TurnsWithIdsOneTo8000()
    {
        const int Processes = 2, Tasks = 8, Appends = 500, Total = Processes * Tasks * Appends;
        var id = SessionId.New();
        var writers = new List<Process>();
        try
        {
            for (var p = 0; p < Processes; p++)
            {
                writers.Add(StartWriter(_database.Path, id, Tasks, Appends, "p" + p));
            }

            foreach (var writer in writers)
            {
                Assert.That(await writer.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"), "the writer opened the database");
            }

            foreach (var writer in writers)
            {
                await writer.StandardInput.WriteLineAsync("go"); // start both together
                await writer.StandardInput.FlushAsync();
            }

            var assigned = new List<int>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            foreach (var writer in writers)
            {
                var output = await writer.StandardOutput.ReadToEndAsync(timeout.Token);
                await writer.WaitForExitAsync(timeout.Token);
                Assert.That(writer.ExitCode, Is.Zero, await writer.StandardError.ReadToEndAsync());
                assigned.AddRange(Acknowledged(output));
            }

            using var store = _database.Store();
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
            Stop(writers);
        }
    }

    [Test]
    public async Task AppendAsync_WriterKilledWithSigkill_EveryAcknowledgedTurnSurvives()
    {
        var id = SessionId.New();
        var acknowledged = new List<int>();
        var writer = StartWriter(_database.Path, id, tasks: 4, appends: 100_000, "killed");
        try
        {
            Assert.That(await writer.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"));
            await writer.StandardInput.WriteLineAsync("go");
            await writer.StandardInput.FlushAsync();

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (acknowledged.Count < 300 && await writer.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                acknowledged.AddRange(Acknowledged(line));
            }

            writer.Kill(); // SIGKILL while the tasks are still appending
            await writer.WaitForExitAsync(timeout.Token);
            acknowledged.AddRange(Acknowledged(await writer.StandardOutput.ReadToEndAsync(timeout.Token)));
        }
        finally
        {
            Stop([writer]);
        }

        using var store = _database.Store();
        var stored = (await store.GetAsync(id))!.GetAll().Select(t => t.Id).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(acknowledged, Has.Count.GreaterThanOrEqualTo(300));
            Assert.That(stored, Is.SupersetOf(acknowledged), "every acknowledged turn survived");
            Assert.That(stored, Is.EqualTo(Enumerable.Range(1, stored.Length)), "ids stay contiguous");
        });
    }

    [Test]
    public async Task Calls_DirectoryMissing_FailUnavailableNamingTheFile_AndWorkOnceItExists()
    {
        var directory = Path.Combine(_database.Directory, "not-yet");
        var path = Path.Combine(directory, "sessions.db");
        using var store = _database.Store(configure: o => o.Path = path);

        var error = Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.AppendAsync("s1", Turn("q")))!;
        Directory.CreateDirectory(directory);
        var appended = await store.AppendAsync("s1", Turn("q"));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain(path).And.Contain("could not be opened").And.Contain("DEXTER_SQLITE_PATH"));
            Assert.That(error.Endpoint, Is.EqualTo(path));
            Assert.That(appended.Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Calls_FileIsNotADatabase_FailUnavailable_AndWorkOnceItIsReplaced()
    {
        await File.WriteAllTextAsync(_database.Path, new string('x', 4096));
        using var store = _database.Store();

        var error = Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.GetAsync("s1"))!;
        SqliteConnection.ClearAllPools();
        File.Delete(_database.Path);
        var appended = await store.AppendAsync("s1", Turn("q"));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain(_database.Path).And.Contain("could not be read or written"));
            Assert.That(appended.Id, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AppendAsync_DatabaseLockedByAnotherConnection_FailsUnavailableWithinTheTimeout_AndWorksOnceReleased()
    {
        using var store = _database.Store(configure: o => o.Timeout = TimeSpan.FromMilliseconds(500));
        await store.AppendAsync("s1", Turn("first"));
        using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database.Path, Pooling = false }.ToString());
        await other.OpenAsync();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            await begin.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<SessionStoreUnavailableException>(() => store.AppendAsync("s1", Turn("blocked")))!;
        watch.Stop();
        using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }

        var appended = await store.AppendAsync("s1", Turn("after"));

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain(_database.Path).And.Contain("locked"));
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2.5)), "fails about the timeout, not later");
            Assert.That(appended.Id, Is.EqualTo(2), "the failed append recorded nothing");
        });
    }

    private static IEnumerable<int> Acknowledged(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("ack ", StringComparison.Ordinal))
            .Select(line => int.Parse(line[4..], CultureInfo.InvariantCulture));

    private static Process StartWriter(string path, string sessionId, int tasks, int appends, string name)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "Dexter.Sessions.Sqlite.Tests.Writer.dll");
        Assert.That(File.Exists(writer), Is.True, $"{writer} is built with the tests");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return Process.Start(new ProcessStartInfo(dotnet)
        {
            ArgumentList = { writer, path, sessionId, tasks.ToString(CultureInfo.InvariantCulture), appends.ToString(CultureInfo.InvariantCulture), name },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
    }

    private static void Stop(IEnumerable<Process> writers)
    {
        foreach (var writer in writers)
        {
            if (!writer.HasExited)
            {
                writer.Kill(entireProcessTree: true);
                writer.WaitForExit();
            }

            writer.Dispose();
        }
    }
}
