using Dexter.Sessions.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Sqlite.Tests;

/// <summary>A directory of its own for one test's database file, deleted afterwards.</summary>
internal sealed class TemporaryDatabase : IDisposable
{
    public TemporaryDatabase()
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dexter-sqlite-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path = System.IO.Path.Combine(Directory, "sessions.db");
    }

    public string Directory { get; }

    public string Path { get; }

    public SqliteSessionStoreOptions Options(Action<SqliteSessionStoreOptions>? configure = null)
    {
        var options = new SqliteSessionStoreOptions { Path = Path };
        configure?.Invoke(options);
        return options;
    }

    public SqliteSessionStore Store(TimeProvider? clock = null, Action<SqliteSessionStoreOptions>? configure = null) =>
        new(Microsoft.Extensions.Options.Options.Create(Options(configure)), clock);

    /// <summary>Runs SQL on the file directly, as another program would.</summary>
    public async Task<object?> ExecuteAsync(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Reads SQLite's plan for <paramref name="sql"/>, its steps joined by " | ".</summary>
    public async Task<string> QueryPlanAsync(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        using var reader = await command.ExecuteReaderAsync();
        var steps = new List<string>();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        return string.Join(" | ", steps);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A writer process killed by a test may still hold the file for a moment; the temporary directory is left.
        }
        catch (UnauthorizedAccessException)
        {
            // A test made the directory unreadable and restored it; leave it.
        }
    }
}
