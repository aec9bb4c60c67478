using BenchmarkDotNet.Running;
using Dexter.Sessions.Redis.Benchmarks;

// The benchmarks start their own redis-server on a free loopback port (see RedisHost) and stop it at the end.
try
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
finally
{
    RedisHost.Stop();
}
