using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Dexter.Sessions;

/// <summary>
/// The names under which Dexter.Sessions reports traces and metrics: one <see cref="System.Diagnostics.ActivitySource"/>
/// and one <see cref="System.Diagnostics.Metrics.Meter"/>, both named <see cref="SourceName"/>.
/// </summary>
/// <remarks>
/// Instruments: <c>dexter.sessions.turns</c> (turns recorded), <c>dexter.sessions.turn.duration</c> (seconds from query
/// to recorded turn), <c>dexter.sessions.summarizer.fallbacks</c> and <c>dexter.sessions.selector.fallbacks</c>.
/// </remarks>
public static class DexterSessionsTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string SourceName = "Dexter.Sessions";

    internal static readonly ActivitySource ActivitySource = new(SourceName);

    internal static readonly Meter Meter = new(SourceName);

    internal static readonly Counter<long> TurnsRecorded =
        Meter.CreateCounter<long>("dexter.sessions.turns", "{turn}", "Turns recorded.");

    internal static readonly Histogram<double> TurnDuration =
        Meter.CreateHistogram<double>("dexter.sessions.turn.duration", "s", "Time from a query to its recorded turn.");

    internal static readonly Counter<long> SummarizerFallbacks =
        Meter.CreateCounter<long>("dexter.sessions.summarizer.fallbacks", "{fallback}", "Summaries that fell back to truncation.");

    internal static readonly Counter<long> SelectorFallbacks =
        Meter.CreateCounter<long>("dexter.sessions.selector.fallbacks", "{fallback}", "Selections that fell back to the latest turns.");
}
