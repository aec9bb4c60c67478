using Microsoft.Extensions.Options;
using Npgsql;

namespace Dexter.Sessions.PostgreSql.Tests;

/// <summary>Makes stores and runs SQL for the tests.</summary>
internal static class PostgreSqlStores
{
    public static PostgreSqlSessionStore Create(
        string connectionString,
        TimeProvider? timeProvider = null,
        Action<PostgreSqlSessionStoreOptions>? configure = null)
    {
        var options = new PostgreSqlSessionStoreOptions { ConnectionString = connectionString, SessionTtl = TimeSpan.FromHours(1) };
        configure?.Invoke(options);
        return new PostgreSqlSessionStore(Options.Create(options), timeProvider);
    }

    /// <summary>A schema name nobody else uses, for a test that inspects or damages its tables.</summary>
    public static string NewSchema() => "t_" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<object?> ScalarAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return await command.ExecuteScalarAsync();
    }

    public static async Task<List<string>> LinesAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetValue(0).ToString()!);
        }

        return lines;
    }
}
