using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Sqlite.Benchmarks;

/// <summary>A store on a new file in a directory of its own, with one session of <c>history</c> turns.</summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dexter-sqlite-bench-" + Guid.NewGuid().ToString("N"));

    public SqliteDatabase(SqliteDurability durability, int history)
    {
        Directory.CreateDirectory(_directory);
        Store = new SqliteSessionStore(Options.Create(new SqliteSessionStoreOptions { Path = Path.Combine(_directory, "sessions.db"), Durability = durability }));
        var turns = Enumerable.Range(1, history).Select(i => Turn(i) with { Id = i }).ToList();
        Store.SetAsync(SessionId, new MessageHistory(turns)).GetAwaiter().GetResult();
    }

    public const string SessionId = "bench";

    public SqliteSessionStore Store { get; }

    /// <summary>A turn of the size the agent records: a question, an answer of a few sentences, a summary.</summary>
    public static Message Turn(int i) => new()
    {
        Query = $"Question {i}: why is Bitcoin valuable?",
        Answer = "Bitcoin is scarce by design: at most 21 million coins, issued on a fixed schedule. It is secured by proof of work and held without an intermediary. " + i,
        Summary = "Scarcity, security and self-custody.",
        CreatedAt = DateTimeOffset.UnixEpoch,
        InputTokenCount = 120,
        OutputTokenCount = 60,
    };

    public void Dispose()
    {
        Store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
