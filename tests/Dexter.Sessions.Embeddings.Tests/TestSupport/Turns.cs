namespace Dexter.Sessions.Embeddings.Tests.TestSupport;

/// <summary>Builds turns for tests.</summary>
internal static class Turns
{
    /// <summary>A turn with id <paramref name="id"/>, whose summary is <paramref name="summary"/>, and an optional vector.</summary>
    public static Message Create(int id, string summary, float[]? embedding = null) => new()
    {
        Id = id,
        Query = "query " + id,
        Answer = "answer " + id,
        Summary = summary,
        CreatedAt = DateTimeOffset.UnixEpoch.AddMinutes(id),
        Embedding = embedding ?? ReadOnlyMemory<float>.Empty,
    };

    /// <summary>A unit vector of <paramref name="dimensions"/> with 1 at <paramref name="axis"/>.</summary>
    public static float[] Axis(int axis, int dimensions = 4)
    {
        var vector = new float[dimensions];
        vector[axis] = 1;
        return vector;
    }

    /// <summary>A unit vector at <paramref name="cosine"/> to axis 0, in the plane of axes 0 and 1.</summary>
    public static float[] AtCosine(float cosine, int dimensions = 4)
    {
        var vector = new float[dimensions];
        vector[0] = cosine;
        vector[1] = MathF.Sqrt(1 - (cosine * cosine));
        return vector;
    }
}
