using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dexter.Sessions;

/// <summary>The source-generated serializer of <see cref="TurnRecord"/>, so that no reflection is needed.</summary>
/// <remarks>
/// Records are stored, never embedded in HTML, so only what JSON requires is escaped: base64 keeps its <c>+</c> and
/// <c>/</c> (a damaged byte of a ciphertext then damages the ciphertext, not a JSON escape). A record with a property this
/// version does not know is refused rather than read without it.
/// </remarks>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TurnRecord))]
internal sealed partial class TurnRecordJsonContext : JsonSerializerContext
{
    /// <summary>The context records are written and read with.</summary>
    public static TurnRecordJsonContext Records { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    });
}
