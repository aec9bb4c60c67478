using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Dexter.Sessions.Context.Benchmarks;

/// <summary>
/// Out of process, 3 warmups and 10 iterations of 40 calls each (the 20 questions twice, so every iteration asks the same mix):
/// the machine is small and shared, so runs are kept short and figures compared within one run. Median (P50) and P95 are over
/// the iterations' means.
/// </summary>
public sealed class ContextBenchmarkConfig : ManualConfig
{
    public ContextBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithRuntime(BenchmarkDotNet.Environments.CoreRuntime.Core10_0)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithInvocationCount(40)
            .WithUnrollFactor(1)
            .WithId("Context"));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        AddDiagnoser(MemoryDiagnoser.Default);
        WithBuildTimeout(TimeSpan.FromMinutes(15)); // the boilerplate project builds every package; on a busy machine that takes minutes
    }
}
