using System.Diagnostics.Metrics;

namespace Dexter.Sessions.Embeddings;

/// <summary>
/// The instruments of Dexter.Sessions.Embeddings, on a meter named <see cref="DexterSessionsTelemetry.SourceName"/> as the core's
/// are, so that a listener of that name sees both: <c>dexter.sessions.embeddings.texts</c> (texts embedded, tag <c>operation</c>:
/// <c>query</c>, <c>turn</c> or <c>backfill</c>) and <c>dexter.sessions.embeddings.fallbacks</c> (tags <c>operation</c>:
/// <c>select</c> or <c>prepare</c>; <c>reason</c>: <c>timeout</c> or the exception's type name).
/// </summary>
internal static class EmbeddingsTelemetry
{
    internal static readonly Meter Meter = new(DexterSessionsTelemetry.SourceName);

    internal static readonly Counter<long> TextsEmbedded =
        Meter.CreateCounter<long>("dexter.sessions.embeddings.texts", "{text}", "Texts given to the embedding generator.");

    internal static readonly Counter<long> Fallbacks =
        Meter.CreateCounter<long>("dexter.sessions.embeddings.fallbacks", "{fallback}", "Selections that used the latest turns, or turns recorded without a vector, because embedding failed.");

    internal static void Fallback(string operation, Exception exception) =>
        Fallbacks.Add(
            1,
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("reason", exception is TimeoutException ? "timeout" : exception.GetType().Name));

    internal static void Embedded(string operation, int count) =>
        TextsEmbedded.Add(count, new KeyValuePair<string, object?>("operation", operation));
}
