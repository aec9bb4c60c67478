namespace Dexter.Sessions.Samples;

/// <summary>Names the store a sample runs on, behind any decorators.</summary>
internal static class SampleStores
{
    /// <summary>The first of <paramref name="storeTypes"/> found in <paramref name="store"/>, and whether it is encrypted at rest.</summary>
    public static string Describe(ISessionStore store, params Type[] storeTypes)
    {
        var name = Array.Find(storeTypes, t => store.GetService(t) is not null)?.Name ?? store.GetType().Name;
        return store.GetService(typeof(EncryptingSessionStore)) is null ? name : name + " (encrypted at rest)";
    }
}
