using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dexter.Sessions.AspNetCore.Benchmarks;

// dotnet run -c Release --project benchmarks/Dexter.Sessions.AspNetCore.Benchmarks -- --filter '*'   BenchmarkDotNet
// dotnet run -c Release --project benchmarks/Dexter.Sessions.AspNetCore.Benchmarks -- paired          alternating rounds
if (args is ["paired"])
{
    await PairedRun.RunAsync();
    return;
}

// A short in-process job: server and client share the machine's cores, so compare the ratios of one run, not absolute
// times across machines.
var config = DefaultConfig.Instance.AddJob(Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithLaunchCount(1)
    .WithWarmupCount(3)
    .WithIterationCount(20));
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
