namespace Dexter.Sessions.AspNetCore;

/// <summary>Metadata on every endpoint the package maps, so the startup check can tell them from the host's.</summary>
internal sealed class DexterSessionsEndpointMarker
{
    public static DexterSessionsEndpointMarker Instance { get; } = new();

    private DexterSessionsEndpointMarker()
    {
    }
}
