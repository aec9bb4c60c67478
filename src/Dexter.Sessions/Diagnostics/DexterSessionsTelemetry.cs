using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Dexter.Sessions;

/// <summary>
/// The names under which Dexter.Sessions reports traces and metrics: the <see cref="System.Diagnostics.ActivitySource"/> and the
/// <see cref="System.Diagnostics.Metrics.Meter"/> of every Dexter.Sessions package are named <see cref="SourceName"/>, so that
/// listening to that one name (for example OpenTelemetry's <c>AddSource</c> and <c>AddMeter</c>) covers them all.
/// </summary>
/// <remarks>
/// <para>Every turn, whatever the entry point, is one activity named <see cref="TurnActivityName"/> with the OpenTelemetry GenAI
/// attributes <c>gen_ai.operation.name</c> (<c>invoke_agent</c>) and <c>gen_ai.conversation.id</c> (the session), plus
/// <c>dexter.message.id</c> once the turn is recorded.</para>
/// <para>Instruments, by the GenAI semantic conventions where they apply: <c>gen_ai.client.operation.duration</c> (seconds from
/// query to recorded turn) and <c>gen_ai.client.token.usage</c> (tokens per turn, tag <c>gen_ai.token.type</c>: <c>input</c> or
/// <c>output</c>), both tagged <c>gen_ai.operation.name</c> = <c>invoke_agent</c>; and the package's own
/// <c>dexter.sessions.turns</c> (turns recorded), <c>dexter.sessions.summarizer.fallbacks</c> and
/// <c>dexter.sessions.selector.fallbacks</c>, and <c>dexter.sessions.audit.events</c> (tags <c>dexter.audit.action</c>, <c>dexter.audit.outcome</c>).</para>
/// </remarks>
public static class DexterSessionsTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string SourceName = "Dexter.Sessions";

    /// <summary>The name of the activity of one turn.</summary>
    public const string TurnActivityName = "invoke_agent dexter.sessions";

    internal static readonly ActivitySource ActivitySource = new(SourceName);

    internal static readonly Meter Meter = new(SourceName);

    internal static readonly Counter<long> TurnsRecorded =
        Meter.CreateCounter<long>("dexter.sessions.turns", "{turn}", "Turns recorded.");

    internal static readonly Histogram<double> OperationDuration =
        Meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "Time from a query to its recorded turn.");

    internal static readonly Histogram<long> TokenUsage =
        Meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens the model reported for a turn.");

    internal static readonly Counter<long> SummarizerFallbacks =
        Meter.CreateCounter<long>("dexter.sessions.summarizer.fallbacks", "{fallback}", "Summaries that fell back to truncation.");

    internal static readonly Counter<long> SelectorFallbacks =
        Meter.CreateCounter<long>("dexter.sessions.selector.fallbacks", "{fallback}", "Selections that fell back to the latest turns.");

    internal static readonly Counter<long> AuditEvents =
        Meter.CreateCounter<long>("dexter.sessions.audit.events", "{event}", "Audit events recorded.");

    private static readonly KeyValuePair<string, object?> InvokeAgent = new("gen_ai.operation.name", "invoke_agent");

    /// <summary>
    /// Gives the model's own spans under a turn (Microsoft.Extensions.AI's <c>chat</c> spans, which never see the conversation id
    /// because the turn keeps it from the model) the turn's <c>gen_ai.conversation.id</c>. The listener samples nothing itself:
    /// it only tags activities that other listeners chose to record.
    /// </summary>
    private static readonly Lazy<ActivityListener> ChildSpanTagger = new(static () =>
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name.StartsWith("Experimental.Microsoft.Extensions.AI", StringComparison.Ordinal) ||
                source.Name.StartsWith("Microsoft.Extensions.AI", StringComparison.Ordinal),
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStarted = static activity =>
            {
                for (var parent = activity.Parent; parent is not null; parent = parent.Parent)
                {
                    if (parent.Source == ActivitySource)
                    {
                        if (activity.GetTagItem(ConversationIdTag) is null && parent.GetTagItem(ConversationIdTag) is { } id)
                        {
                            activity.SetTag(ConversationIdTag, id);
                        }

                        return;
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    });

    internal const string ConversationIdTag = "gen_ai.conversation.id";

    /// <summary>Makes sure the model's spans under a turn get its conversation id (see <see cref="ChildSpanTagger"/>).</summary>
    internal static void TagModelSpans() => _ = ChildSpanTagger.Value;

    internal static void TurnRecorded(Message turn, double seconds, Activity? activity)
    {
        TurnsRecorded.Add(1);
        OperationDuration.Record(seconds, InvokeAgent);
        if (turn.InputTokenCount is { } input)
        {
            TokenUsage.Record(input, InvokeAgent, new KeyValuePair<string, object?>("gen_ai.token.type", "input"));
            activity?.SetTag("gen_ai.usage.input_tokens", input);
        }

        if (turn.OutputTokenCount is { } output)
        {
            TokenUsage.Record(output, InvokeAgent, new KeyValuePair<string, object?>("gen_ai.token.type", "output"));
            activity?.SetTag("gen_ai.usage.output_tokens", output);
        }
    }
}
