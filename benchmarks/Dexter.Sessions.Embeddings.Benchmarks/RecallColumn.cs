using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Dexter.Sessions.Embeddings.Benchmarks;

/// <summary>
/// Recall@10 of the exact top-10 and the mean number of turns scored exactly, for the quantized rows, measured in the host
/// process over <see cref="Queries"/> random queries on the benchmark's data (seed 42).
/// </summary>
internal sealed class RecallColumn : IColumn
{
    public const int Queries = 100;

    private static readonly Lazy<(double Recall, double Rescored)> Measured = new(Measure);

    public string Id => nameof(RecallColumn);

    public string ColumnName => "Recall@10 (rescored)";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => false;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Share of the exact top-10 the quantized scan selects, over {Queries} random queries, and the mean number of turns it scored exactly";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (!benchmarkCase.Descriptor.WorkloadMethod.Name.Contains("Quantized", StringComparison.Ordinal))
        {
            return "-";
        }

        var (recall, rescored) = Measured.Value;
        return string.Create(CultureInfo.InvariantCulture, $"{recall:0.000} ({rescored:0.#})");
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    private static (double Recall, double Rescored) Measure()
    {
        var (_, turns, _) = Data.Create(100_000, seed: 42);
        var index = new ScanIndex(quantized: true);
        var random = new Random(7);
        double found = 0, rescored = 0;
        for (var q = 0; q < Queries; q++)
        {
            var query = Data.Query(random);
            var exact = RelevanceRanking.SelectTop(query, turns, TopKSelectionBenchmarks.K, 0.7f, 0.3f, -1f);
            var ranking = new RelevanceRanking(query, TopKSelectionBenchmarks.K, turns.Length, 0.7f, 0.3f, -1f);
            ranking.ScoreAll(turns, index);
            var selected = ranking.GetSelected(turns).Select(t => t.Id).ToHashSet();
            found += exact.Count(t => selected.Contains(t.Id));
            rescored += ranking.Rescored;
        }

        return (found / (Queries * TopKSelectionBenchmarks.K), rescored / Queries);
    }
}
