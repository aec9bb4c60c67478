using BenchmarkDotNet.Running;
using Dexter.Sessions.Context.Benchmarks;
using Dexter.Sessions.PostgreSql.Benchmarks;
using Dexter.Sessions.Redis.Benchmarks;

// BenchmarkDotNet:  dotnet run -c Release --project benchmarks/Dexter.Sessions.Context.Benchmarks -- --filter '*'
// Cold first query, retained memory and per-call latency:
//                   dotnet run -c Release --project benchmarks/Dexter.Sessions.Context.Benchmarks -- measure [--stores memory,sqlite] [--vectors none,MiniLM] [--turns 10000]
// The PostgreSQL and Redis cases start their own servers (PostgresHost, RedisHost) and stop them at the end.
try
{
    if (args is ["measure", .. var rest])
    {
        await SessionMeasurement.RunAsync(rest);
    }
    else
    {
        BenchmarkSwitcher.FromAssembly(typeof(ContextBuildingBenchmarks).Assembly).Run(args);
    }
}
finally
{
    PostgresHost.Stop();
    RedisHost.Stop();
}
