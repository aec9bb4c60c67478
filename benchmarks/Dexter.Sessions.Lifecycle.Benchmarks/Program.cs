using BenchmarkDotNet.Running;
using Dexter.Sessions.Lifecycle.Benchmarks;
using Dexter.Sessions.PostgreSql.Benchmarks;
using Dexter.Sessions.Redis.Benchmarks;

// The benchmarks start their own redis-server and PostgreSQL 15 server on free loopback ports (see RedisHost and PostgresHost),
// put SQLite files in the temporary directory, and remove all of them at the end.
try
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
finally
{
    LifecycleStores.DeleteFiles();
    RedisHost.Stop();
    PostgresHost.Stop();
}
