using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Dexter.Sessions.Lifecycle.Benchmarks;

/// <summary>
/// A short in-process job (the machine is small and shared): 2 warm-up and 20 measured iterations; the median and p95 columns
/// are the figures compared with the targets, and allocations are shown.
/// </summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(10), logOutput: true))
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(20)
            .WithId("Short"));
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        AddColumn(StoreCallsColumn.Instance);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
