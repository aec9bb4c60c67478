using BenchmarkDotNet.Running;
using Dexter.Sessions.Encryption.Benchmarks;
using Dexter.Sessions.Redis.Benchmarks;

// Encryption at rest: append and latest-10 read, with and without EncryptingSessionStore, over memory and a loopback redis-server.
try
{
    BenchmarkSwitcher.FromAssembly(typeof(EncryptionBenchmarks).Assembly).Run(args);
}
finally
{
    RedisHost.Stop();
}
