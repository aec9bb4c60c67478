using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Dexter.Sessions.Redis.Benchmarks;

// The benchmarks start their own redis-server on a free loopback port (see RedisHost) and stop it at the end.
try
{
    // First, the server's own limit for 64 clients pushing to a list, for the throughput comparison.
    if (!args.Contains("--no-redis-benchmark"))
    {
        var redisBenchmark = Process.Start(new ProcessStartInfo(RedisHost.Find("redis-benchmark"))
        {
            ArgumentList = { "-h", "127.0.0.1", "-p", RedisHost.Port.ToString(CultureInfo.InvariantCulture), "-t", "rpush", "-c", "64", "-n", "100000", "-q" },
            RedirectStandardOutput = true,
        })!;
        var output = await redisBenchmark.StandardOutput.ReadToEndAsync();
        await redisBenchmark.WaitForExitAsync();
        Console.WriteLine("redis-benchmark -t rpush -c 64 -n 100000 -q: " +
            output.Split('\r', '\n').LastOrDefault(l => l.Contains("RPUSH", StringComparison.Ordinal))?.Trim());
    }

    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Where(a => a != "--no-redis-benchmark").ToArray());
}
finally
{
    RedisHost.Stop();
}
