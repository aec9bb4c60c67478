using BenchmarkDotNet.Running;
using Dexter.Sessions.PostgreSql.Benchmarks;

// The benchmarks start their own PostgreSQL 15 server (initdb into a temporary directory, a free loopback port; see
// PostgresHost) and remove it at the end.
try
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
finally
{
    PostgresHost.Stop();
}
