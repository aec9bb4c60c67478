using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Dexter.Sessions.Redis.Benchmarks;

/// <summary>One redis-server for the whole benchmark process, on a free loopback port, removed when the process exits.</summary>
public static class RedisHost
{
    private static readonly Lazy<(Process Process, int Port, string Directory)> Server = new(Start);

    /// <summary>Gets <c>127.0.0.1:port</c> of the server, starting it on first use.</summary>
    public static string Endpoint => "127.0.0.1:" + Server.Value.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Gets the port of the server, starting it on first use.</summary>
    public static int Port => Server.Value.Port;

    /// <summary>Stops the server, when it was started, and removes its directory.</summary>
    public static void Stop()
    {
        if (!Server.IsValueCreated)
        {
            return;
        }

        var (process, _, directory) = Server.Value;
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Runs <c>redis-benchmark -t rpush -c 64 -n 100000 -q</c> against the server and prints its result.</summary>
    public static void RunRedisBenchmark(string label)
    {
        var redisBenchmark = Process.Start(new ProcessStartInfo(Find("redis-benchmark"))
        {
            ArgumentList = { "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-t", "rpush", "-c", "64", "-n", "100000", "-q" },
            RedirectStandardOutput = true,
        })!;
        var output = redisBenchmark.StandardOutput.ReadToEnd();
        redisBenchmark.WaitForExit();
        var result = output.Split('\r', '\n').LastOrDefault(l => l.Contains("RPUSH", StringComparison.Ordinal))?.Trim();
        Console.WriteLine($"// redis-benchmark -t rpush -c 64 -n 100000 -q ({label}): {result}");
    }

    /// <summary>Finds an executable on the PATH.</summary>
    public static string Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(Path.PathSeparator).Append("/usr/bin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is not installed; install it with: sudo apt-get install -y redis-server redis-tools");

    private static (Process, int, string) Start()
    {
        var directory = Directory.CreateTempSubdirectory("dexter-redis-bench-").FullName;
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo(Find("redis-server")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
            "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => Stop();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return (process, port, directory);
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not start on port {port}.");
    }
}
