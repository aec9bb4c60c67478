using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Dexter.Sessions.Embeddings.Benchmarks;

/// <summary>A column with the bytes of vectors scanned per second: N · dimensions · 4 bytes over the mean time.</summary>
internal sealed class ScannedBandwidthColumn : IColumn
{
    public string Id => nameof(ScannedBandwidthColumn);

    public string ColumnName => "Scanned GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes of the vector array read per second (N x 384 floats x 4 bytes / mean), in 10^9 bytes per second";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } statistics || benchmarkCase.Parameters["N"] is not int n)
        {
            return "-";
        }

        var bytes = (double)n * TopKSelectionBenchmarks.Dimensions * sizeof(float);
        return (bytes / statistics.Mean).ToString("0.00", CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
