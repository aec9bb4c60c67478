using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Dexter.Sessions.PostgreSql.Benchmarks;

/// <summary>
/// The PostgreSQL server of a benchmark run, with the package's default settings (fsync and synchronous_commit on): started on
/// first use as the <c>postgres</c> user when the run is root, stopped and removed by <see cref="Stop"/>. Also runs <c>pgbench</c>.
/// </summary>
public static partial class PostgresHost
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private static readonly Lazy<(int Port, string Directory)> Server = new(Start);

    public static string ConnectionString =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Server.Value.Port};Username=dexter;Database=postgres;Maximum Pool Size=100");

    /// <summary>
    /// Runs pgbench for <paramref name="seconds"/> with <paramref name="clients"/> clients, each transaction one single-row INSERT
    /// of a turn-sized row (1.2 KB) into a table keyed like the store's turns; prints and returns the transactions per second.
    /// </summary>
    public static double RunPgbench(string label, int clients, int seconds)
    {
        var directory = Server.Value.Directory;
        Sql("""
            CREATE TABLE IF NOT EXISTS pgbench_turns (session_id text COLLATE "C" NOT NULL, turn_id bigint NOT NULL, record bytea NOT NULL, PRIMARY KEY (session_id, turn_id));
            CREATE SEQUENCE IF NOT EXISTS pgbench_turn_ids;
            TRUNCATE pgbench_turns;
            """);
        var script = Path.Combine(directory, "insert.sql");
        File.WriteAllText(script,
            "INSERT INTO pgbench_turns (session_id, turn_id, record) VALUES ('s' || :client_id, nextval('pgbench_turn_ids'), convert_to(repeat('x', 1200), 'UTF8'));\n");
        Run("chmod", "644", script);
        var output = RunAsPostgres(Path.Combine(Bin, "pgbench"), "-n", "-h", "127.0.0.1", "-p", Server.Value.Port.ToString(CultureInfo.InvariantCulture),
            "-U", "dexter", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), "-f", script, "postgres");
        var tps = double.Parse(Tps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// pgbench {label}: {clients} clients, {seconds} s, single-row INSERT of 1.2 KB: {tps:0} transactions/s"));
        File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "pgbench.txt"),
            string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:u} {label}: {clients} clients, {tps:0} tps\n"));
        return tps;
    }

    public static void Sql(string sql)
    {
        using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public static void Stop()
    {
        if (!Server.IsValueCreated)
        {
            return;
        }

        var data = Path.Combine(Server.Value.Directory, "data");
        RunAsPostgres(Path.Combine(Bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop");
        Directory.Delete(Server.Value.Directory, recursive: true);
    }

    private static (int, string) Start()
    {
        var directory = Directory.CreateTempSubdirectory("dexter-pgbench-").FullName;
        if (Environment.UserName == "root")
        {
            Run("chown", "postgres:postgres", directory);
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var data = Path.Combine(directory, "data");
        RunAsPostgres(Path.Combine(Bin, "initdb"), "-D", data, "-A", "trust", "-U", "dexter", "--no-sync", "-E", "UTF8", "--locale=C");
        RunAsPostgres(Path.Combine(Bin, "pg_ctl"), "-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-o",
            string.Create(CultureInfo.InvariantCulture, $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=200"), "start");
        return (port, directory);
    }

    private static string RunAsPostgres(string executable, params string[] arguments) =>
        Environment.UserName == "root" ? Run("runuser", ["-u", "postgres", "--", executable, .. arguments]) : Run(executable, arguments);

    private static string Run(string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} failed ({process.ExitCode}): {error.Result}{output}");
        }

        return output;
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
