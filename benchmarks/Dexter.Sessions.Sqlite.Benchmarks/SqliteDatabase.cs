using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Sqlite.Benchmarks;

/// <summary>A store on a new file in a directory of its own, with one session of <c>history</c> turns.</summary>
internal sealed class SqliteDatabase : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dexter-sqlite-bench-" + Guid.NewGuid().ToString("N"));

    private readonly string _path;

    public SqliteDatabase(SqliteDurability durability, int history)
    {
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, "sessions.db");
        Store = new SqliteSessionStore(Options.Create(new SqliteSessionStoreOptions { Path = _path, Durability = durability }));
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

    /// <summary>
    /// Takes the session back to its first <paramref name="history"/> turns (what the appends of an iteration added goes), so that every
    /// iteration appends to a session of the same length; the store's own id counters are set back with it.
    /// </summary>
    public void TrimTo(int history)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
        connection.Open();
        using var trim = connection.CreateCommand();
        trim.CommandText = """
            DELETE FROM "dexter_turns" WHERE "session_id" = $id AND "turn_id" > $history;
            UPDATE "dexter_sessions" SET "last_id" = $history, "turn_count" = $history,
                "last_seq" = (SELECT MAX("seq") FROM "dexter_turns" WHERE "session_id" = $id)
            WHERE "session_id" = $id;
            PRAGMA wal_checkpoint(TRUNCATE);
            """;
        trim.Parameters.AddWithValue("$id", SessionId);
        trim.Parameters.AddWithValue("$history", history);
        trim.ExecuteNonQuery();
    }

    public void Dispose()
    {
        Store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
