using Dexter.Sessions.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Dexter.Sessions.Redis.Tests.Infrastructure;

/// <summary>A local Redis Cluster of three masters on loopback, started and stopped with eng/redis-cluster.sh.</summary>
internal sealed class RedisCluster : IAsyncDisposable
{
    private readonly string _script;
    private readonly string _directory;

    private RedisCluster(string script, string directory, string configuration)
    {
        _script = script;
        _directory = directory;
        Configuration = configuration;
    }

    /// <summary>Gets the StackExchange.Redis configuration string naming the three nodes.</summary>
    public string Configuration { get; }

    public static async Task<RedisCluster> StartAsync()
    {
        RedisServer.FindExecutable("redis-server");
        RedisServer.FindExecutable("redis-cli");
        var script = FindScript();
        var directory = Path.Combine(Path.GetTempPath(), "dexter-redis-cluster-" + Guid.NewGuid().ToString("N")[..8]);
        var ports = ClusterPorts(3);
        var (exitCode, output, error) = await RunAsync(script, ["start", directory, .. ports.Select(p => p.ToString())]);
        if (exitCode != 0)
        {
            await RunAsync(script, ["stop", directory]);
            Assert.Fail($"eng/redis-cluster.sh start failed ({exitCode}): {error}{output}");
        }

        return new RedisCluster(script, directory, output.Trim());
    }

    public async ValueTask DisposeAsync() => await RunAsync(_script, ["stop", _directory]);

    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, "eng", "redis-cluster.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        Assert.Fail("eng/redis-cluster.sh was not found above " + AppContext.BaseDirectory);
        throw new UnreachableException();
    }

    /// <summary>Picks ports whose cluster bus port (port + 10000) is free too.</summary>
    private static int[] ClusterPorts(int count)
    {
        var ports = new List<int>();
        while (ports.Count < count)
        {
            var port = Random.Shared.Next(20_000, 30_000);
            if (!ports.Contains(port) && IsFree(port) && IsFree(port + 10_000))
            {
                ports.Add(port);
            }
        }

        return [.. ports];
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string script, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
