using System.Text.Json.Serialization;

namespace Dexter.Sessions.AspNetCore.Benchmarks;

/// <summary>The bare endpoint's request.</summary>
public sealed record BareRequest(string Query, string SessionId);

/// <summary>The bare endpoint's answer.</summary>
public sealed record BareResponse(int MessageId);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(BareRequest))]
[JsonSerializable(typeof(BareResponse))]
internal sealed partial class BareJsonContext : JsonSerializerContext;
