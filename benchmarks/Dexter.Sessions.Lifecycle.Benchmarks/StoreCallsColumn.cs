using System.Collections.Concurrent;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Dexter.Sessions.Lifecycle.Benchmarks;

/// <summary>
/// A column with what a benchmark counted in its setup (the toolchain is in-process, so the benchmark and the summary share
/// this table): store calls per operation, and Redis commands per operation from <c>INFO commandstats</c>.
/// </summary>
public sealed class StoreCallsColumn : IColumn
{
    public static readonly StoreCallsColumn Instance = new();

    private static readonly ConcurrentDictionary<string, string> Counted = new(StringComparer.Ordinal);

    public string Id => nameof(StoreCallsColumn);

    public string ColumnName => "Counted per op";

    public bool AlwaysShow => false;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => false;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Store calls (and Redis commands) counted for one operation, in the benchmark's setup";

    /// <summary>Records what was counted for one benchmark method and store.</summary>
    public static void Record(string method, StoreKind store, string counted)
    {
        Counted[method + "/" + store] = counted;
        Console.WriteLine($"// counted: {method} on {store}: {counted}");
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var store = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Store")?.Value;
        return Counted.TryGetValue(benchmarkCase.Descriptor.WorkloadMethod.Name + "/" + store, out var counted) ? counted : "-";
    }

    public bool IsAvailable(Summary summary) => !Counted.IsEmpty;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
