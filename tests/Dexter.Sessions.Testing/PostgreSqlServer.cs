using System.Diagnostics;
using System.Globalization;
using NUnit.Framework;

namespace Dexter.Sessions.Testing;

/// <summary>
/// A PostgreSQL 15 server of its own for one test fixture: <c>initdb</c> into a temporary directory (as the <c>postgres</c> user
/// when the tests run as root, since PostgreSQL refuses root), started with <c>pg_ctl</c> on a free loopback port, stopped and
/// removed by <see cref="DisposeAsync"/>. Trust authentication, user <c>dexter</c>, database <c>postgres</c>.
/// </summary>
public sealed class PostgreSqlServer : IAsyncDisposable
{
    /// <summary>Where Debian's postgresql-15 package puts the server binaries.</summary>
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private readonly bool _asPostgresUser;

    private PostgreSqlServer(int port, string directory, bool asPostgresUser)
    {
        Port = port;
        Directory = directory;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>Gets the port the server listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Gets the temporary directory: data in <c>data/</c>, the socket and the log beside it.</summary>
    public string Directory { get; }

    /// <summary>Gets an Npgsql connection string for user <c>dexter</c>, database <c>postgres</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=dexter;Database=postgres;Pooling=true");

    /// <summary>Gets the same database as a <c>postgres://</c> URL, as <c>DEXTER_POSTGRES_URL</c> takes it.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"postgres://dexter@127.0.0.1:{Port}/postgres");

    /// <summary>Gets whether the server's postmaster is running.</summary>
    public bool IsRunning => ReadPostmasterPid() is not null;

    private string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>Creates a cluster and starts the server; <paramref name="settings"/> are extra <c>-c name=value</c> settings.</summary>
    public static async Task<PostgreSqlServer> StartAsync()
    {
        var initdb = Path.Combine(BinDirectory, "initdb");
        if (!File.Exists(initdb))
        {
            Assert.Fail($"PostgreSQL 15 is not installed ({initdb} is missing), and the PostgreSQL tests need a real server. " +
                "Run eng/test.sh, which installs it, or install it with: sudo apt-get install -y postgresql");
        }

        var asPostgresUser = Environment.UserName == "root";
        var directory = System.IO.Directory.CreateTempSubdirectory("dexter-postgres-").FullName;
        if (asPostgresUser)
        {
            await RunAsync("chown", ["postgres:postgres", directory]);
        }

        for (var attempt = 0; ; attempt++)
        {
            var server = new PostgreSqlServer(RedisServer.FreePort(), directory, asPostgresUser);
            try
            {
                if (attempt == 0)
                {
                    await server.RunToolAsync("initdb", "-D", server.DataDirectory, "-A", "trust", "-U", "dexter", "--no-sync", "-E", "UTF8", "--locale=C");
                }

                await server.StartServerAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Most likely the port was taken meanwhile: try another one with the same cluster.
            }
        }
    }

    /// <summary>Kills the server abruptly (SIGKILL to the postmaster and every backend), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (ReadPostmasterPid() is not { } pid)
        {
            return;
        }

        var children = (await RunAsync("ps", ["-o", "pid=", "--ppid", pid.ToString(CultureInfo.InvariantCulture)], check: false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        await RunAsync("kill", ["-9", pid.ToString(CultureInfo.InvariantCulture), .. children], check: false);
        for (var i = 0; i < 100 && IsAlive(pid); i++)
        {
            await Task.Delay(50);
        }

        // The dead postmaster can linger as a zombie where nothing reaps it, and PostgreSQL would take it for a running
        // server; after a real crash its PID is gone. Remove the lock files, as a reboot would make them stale.
        File.Delete(Path.Combine(DataDirectory, "postmaster.pid"));
        File.Delete(Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture, $".s.PGSQL.{Port}.lock")));
    }

    /// <summary>Sends a signal (<c>STOP</c>, <c>CONT</c>) to the postmaster and every backend: STOP makes the server hang.</summary>
    public async Task SignalAsync(string signal)
    {
        if (ReadPostmasterPid() is not { } pid)
        {
            return;
        }

        var children = (await RunAsync("ps", ["-o", "pid=", "--ppid", pid.ToString(CultureInfo.InvariantCulture)], check: false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        await RunAsync("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture), .. children], check: false);
    }

    /// <summary>Stops the server (fast shutdown).</summary>
    public Task StopAsync() => RunToolAsync("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "stop");

    /// <summary>Starts the server again on the same port and data, recovering from a crash if there was one.</summary>
    public Task StartServerAsync() => RunToolAsync(
        "pg_ctl", "-D", DataDirectory, "-l", Path.Combine(Directory, "server.log"), "-w", "-t", "30",
        "-o", string.Create(CultureInfo.InvariantCulture, $"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c max_connections=200"), "start");

    /// <summary>Gets the server log, for failure messages.</summary>
    public string ReadLog()
    {
        var path = Path.Combine(Directory, "server.log");
        return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
    }

    public async ValueTask DisposeAsync()
    {
        if (ReadPostmasterPid() is not null)
        {
            try
            {
                await RunToolAsync("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
            }
            catch (InvalidOperationException)
            {
                await KillAsync();
            }
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Removed with the temporary directory later.
        }
    }

    private int? ReadPostmasterPid()
    {
        var path = Path.Combine(DataDirectory, "postmaster.pid");
        try
        {
            var first = File.ReadLines(path).FirstOrDefault();
            return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && IsAlive(pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid) => System.IO.Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture)) &&
        !File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat").Contains(") Z ", StringComparison.Ordinal);

    private Task<string> RunToolAsync(string tool, params string[] arguments)
    {
        var executable = Path.Combine(BinDirectory, tool);
        return _asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", executable, .. arguments])
            : RunAsync(executable, arguments);
    }

    private static async Task<string> RunAsync(string executable, string[] arguments, bool check = true)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
        }

        return await output;
    }
}
