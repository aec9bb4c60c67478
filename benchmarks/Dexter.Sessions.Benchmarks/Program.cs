using BenchmarkDotNet.Running;
using Dexter.Sessions.Redis.Benchmarks;

// The Redis cases start their own redis-server on a free loopback port (RedisHost) and stop it at the end.
try
{
    BenchmarkSwitcher.FromAssembly(typeof(Dexter.Sessions.Benchmarks.TurnOverheadBenchmarks).Assembly).Run(args);
}
finally
{
    RedisHost.Stop();
}
