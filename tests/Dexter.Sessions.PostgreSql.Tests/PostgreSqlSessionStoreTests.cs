using System.Diagnostics;
using System.Globalization;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.PostgreSql.Tests;

/// <summary>What the contract suite does not cover: many processes, expiry cleanup, embeddings in their own column.</summary>
[TestFixture]
public sealed class PostgreSqlSessionStoreTests
{
    private static string ConnectionString => SharedPostgreSqlServer.Server.ConnectionString;

    private static Message Turn(string query) => new() { Query = query, Answer = "answer" };

    [Test]
    public async Task AppendAsync_TwoProcessesOfEightTasks_AssignIds1To8000WithoutLossOrDuplicate()
    {
        const int Processes = 2, Tasks = 8, Appends = 500, Total = Processes * Tasks * Appends;
        var prefix = "cross_" + Guid.NewGuid().ToString("N")[..8] + "_";
        var sessionId = SessionId.New();
        var writers = new List<Process>();
        try
        {
            for (var p = 0; p < Processes; p++)
            {
                writers.Add(StartWriter(ConnectionString, prefix, sessionId, Tasks, Appends, "p" + p));
            }

            foreach (var writer in writers)
            {
                Assert.That(await writer.StandardOutput.ReadLineAsync(), Is.EqualTo("ready"), await ErrorOf(writer));
            }

            foreach (var writer in writers)
            {
                await writer.StandardInput.WriteLineAsync("go"); // start both together
                await writer.StandardInput.FlushAsync();
            }

            var assigned = new List<int>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            foreach (var writer in writers)
            {
                var output = await writer.StandardOutput.ReadToEndAsync(timeout.Token);
                await writer.WaitForExitAsync(timeout.Token);
                Assert.That(writer.ExitCode, Is.Zero, await writer.StandardError.ReadToEndAsync());
                assigned.AddRange(output.Trim().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)));
            }

            await using var store = PostgreSqlStores.Create(ConnectionString, configure: o => o.TablePrefix = prefix);
            var stored = (await store.GetAsync(sessionId))!.GetAll();

            Assert.Multiple(async () =>
            {
                Assert.That(assigned.Order(), Is.EqualTo(Enumerable.Range(1, Total)), "ids handed out across processes");
                Assert.That(stored.Select(t => t.Id), Is.EqualTo(Enumerable.Range(1, Total)), "ids stored, in order");
                Assert.That(stored.Select(t => t.Query).Distinct().Count(), Is.EqualTo(Total), "every turn kept once");
                Assert.That((await store.GetMetadataAsync(sessionId))!.TurnCount, Is.EqualTo(Total));
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

    [Test]
    public async Task DeleteExpiredSessionsAsync_DeletesOnlyExpiredSessionsWithTheirTurns_ABatchAtATime()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        var schema = PostgreSqlStores.NewSchema();
        await using var store = PostgreSqlStores.Create(ConnectionString, clock, o => o.Schema = schema);
        for (var i = 0; i < 25; i++)
        {
            await store.AppendAsync("old-" + i, Turn("q"));
            await store.AppendAsync("old-" + i, Turn("q"));
        }

        clock.Advance(TimeSpan.FromHours(2));
        await store.AppendAsync("fresh", Turn("q"));

        var batches = new[] { await store.DeleteExpiredSessionsAsync(10), await store.DeleteExpiredSessionsAsync(10), await store.DeleteExpiredSessionsAsync(10), await store.DeleteExpiredSessionsAsync(10) };

        Assert.Multiple(async () =>
        {
            Assert.That(batches, Is.EqualTo(new[] { 10, 10, 5, 0 }));
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT count(*) FROM {schema}.dexter_sessions"), Is.EqualTo(1L));
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT count(*) FROM {schema}.dexter_turns"), Is.EqualTo(1L));
            Assert.That(await store.ExistsAsync("fresh"), Is.True);
        });
    }

    [Test]
    public async Task ExpiredSession_IsInvisibleAtOnce_BeforeAnyCleanup()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));
        var schema = PostgreSqlStores.NewSchema();
        await using var store = PostgreSqlStores.Create(ConnectionString, clock, o => o.Schema = schema);
        await store.AppendAsync("s", Turn("q"));

        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(1));

        Assert.Multiple(async () =>
        {
            Assert.That(await store.ExistsAsync("s"), Is.False);
            Assert.That(await store.DeleteAsync("s"), Is.False, "an expired session did not exist any more");
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT count(*) FROM {schema}.dexter_turns"), Is.Zero, "deleted with its turns");
        });
    }

    [Test]
    public async Task UpdateEmbeddingsAsync_WritesOnlyTheEmbeddingColumn_AndTheRecordKeepsNoVector()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var store = PostgreSqlStores.Create(ConnectionString, configure: o => o.Schema = schema);
        await store.AppendAsync("e", Turn("q1") with { Embedding = new float[] { 1, 2 } });
        var recordBefore = (byte[])(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT record FROM {schema}.dexter_turns"))!;

        await store.UpdateEmbeddingsAsync("e", [Turn("x") with { Id = 1, Embedding = new float[] { 3, 4, 5 } }]);

        Assert.Multiple(async () =>
        {
            Assert.That((await store.GetRecentAsync("e", 1)).Single().Embedding.ToArray(), Is.EqualTo(new float[] { 3, 4, 5 }));
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT record FROM {schema}.dexter_turns"), Is.EqualTo(recordBefore));
            Assert.That(await PostgreSqlStores.ScalarAsync(ConnectionString, $"SELECT length(embedding) FROM {schema}.dexter_turns"), Is.EqualTo(12));
            Assert.That(System.Text.Encoding.UTF8.GetString(recordBefore), Does.StartWith("{\"id\":1,\"v\":"));
        });
    }

    [Test]
    public async Task GetAsync_CorruptRecord_FailsNamingTheSession()
    {
        var schema = PostgreSqlStores.NewSchema();
        await using var store = PostgreSqlStores.Create(ConnectionString, configure: o => o.Schema = schema);
        await store.AppendAsync("broken", Turn("q"));
        await PostgreSqlStores.ScalarAsync(ConnectionString, $"UPDATE {schema}.dexter_turns SET record = '\\x7b7d'::bytea");

        Assert.That(() => store.GetAsync("broken"), Throws.TypeOf<SessionStoreException>()
            .With.Message.Contains("'broken'").And.Message.Contains("cannot be read"));
    }

    [Test]
    public async Task Dispose_DataSourceFromTheApplication_IsLeftOpen()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(ConnectionString);
        var store = new PostgreSqlSessionStore(dataSource);
        await store.PingAsync();

        await store.DisposeAsync();
        await store.DisposeAsync();

        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.That(connection.State, Is.EqualTo(System.Data.ConnectionState.Open));
    }

    private static async Task<string> ErrorOf(Process writer) =>
        writer.HasExited ? await writer.StandardError.ReadToEndAsync() : "the writer is still starting";

    private static Process StartWriter(string connectionString, string prefix, string sessionId, int tasks, int appends, string name)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "Dexter.Sessions.PostgreSql.Tests.Writer.dll");
        Assert.That(File.Exists(writer), Is.True, $"{writer} is built with the tests");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return Process.Start(new ProcessStartInfo(dotnet)
        {
            ArgumentList = { writer, connectionString, prefix, sessionId, tasks.ToString(CultureInfo.InvariantCulture), appends.ToString(CultureInfo.InvariantCulture), name },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
    }
}
