using System.Diagnostics;
using System.Globalization;

namespace Dexter.Sessions.AspNetCore.Benchmarks;

/// <summary>
/// A check of the BenchmarkDotNet figures that resists a busy machine: the two endpoints are measured in alternating rounds on
/// the same server, so a change of load hits both alike. Reports p50/p90 latency one request at a time, requests per second
/// with 16 in flight, and the ratios. Run with: dotnet run -c Release --project benchmarks/Dexter.Sessions.AspNetCore.Benchmarks -- paired
/// </summary>
internal static class PairedRun
{
    private const int Rounds = 20;
    private const int SequentialPerRound = 300;
    private const int ConcurrentPerRound = 800;
    private const int Concurrency = 16;

    public static async Task RunAsync()
    {
        var benchmarks = new QueryEndpointBenchmarks();
        await benchmarks.SetupAsync();
        try
        {
            for (var i = 0; i < 2000; i++)
            {
                await benchmarks.BareSequential();
                await benchmarks.QuerySequential();
            }

            var bareLatencies = new List<double>();
            var queryLatencies = new List<double>();
            var bareRates = new List<double>();
            var queryRates = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                var queryFirst = round % 2 == 1;
                if (queryFirst)
                {
                    await MeasureAsync(benchmarks.QuerySequential, queryLatencies, queryRates);
                    await MeasureAsync(benchmarks.BareSequential, bareLatencies, bareRates);
                }
                else
                {
                    await MeasureAsync(benchmarks.BareSequential, bareLatencies, bareRates);
                    await MeasureAsync(benchmarks.QuerySequential, queryLatencies, queryRates);
                }
            }

            var bareP50 = Percentile(bareLatencies, 0.50);
            var queryP50 = Percentile(queryLatencies, 0.50);
            var bareRate = Percentile(bareRates, 0.50);
            var queryRate = Percentile(queryRates, 0.50);
            Console.WriteLine();
            Console.WriteLine($"Paired run: {Rounds} alternating rounds; {SequentialPerRound} sequential and {ConcurrentPerRound} concurrent ({Concurrency} in flight) requests per endpoint per round.");
            Console.WriteLine();
            Console.WriteLine("| endpoint | p50 latency (µs), sequential | p90 latency (µs), sequential | requests/s, 16 in flight (median of rounds) |");
            Console.WriteLine("|---|---:|---:|---:|");
            Console.WriteLine(Row("bare append (baseline)", bareP50, Percentile(bareLatencies, 0.90), bareRate));
            Console.WriteLine(Row("POST /agent/query", queryP50, Percentile(queryLatencies, 0.90), queryRate));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| ratio query / bare | {queryP50 / bareP50:F2}× | {Percentile(queryLatencies, 0.90) / Percentile(bareLatencies, 0.90):F2}× | {queryRate / bareRate:F2}× |"));
        }
        finally
        {
            await benchmarks.CleanupAsync();
        }
    }

    private static async Task MeasureAsync(Func<Task<int>> send, List<double> latencies, List<double> rates)
    {
        for (var i = 0; i < SequentialPerRound; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await send();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        var remaining = ConcurrentPerRound;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await send();
            }
        }));
        rates.Add(ConcurrentPerRound / clock.Elapsed.TotalSeconds);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }

    private static string Row(string name, double p50, double p90, double rate) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {p50:F0} | {p90:F0} | {rate:F0} |");
}
