using System.Numerics.Tensors;

namespace Dexter.Sessions.Embeddings.Benchmarks;

/// <summary>The benchmark's data: N random unit vectors, slices of one float array, on turns; and a random unit query.</summary>
internal static class Data
{
    public static (float[] Vectors, Message[] Turns, float[] Query) Create(int n, int seed)
    {
        var random = new Random(seed);
        var dimensions = TopKSelectionBenchmarks.Dimensions;
        var vectors = new float[n * dimensions];
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = (float)(random.NextDouble() - 0.5);
        }

        var turns = new Message[n];
        for (var i = 0; i < n; i++)
        {
            var vector = vectors.AsSpan(i * dimensions, dimensions);
            TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
            turns[i] = new Message { Id = i + 1, Query = "q", Answer = "a", Embedding = vectors.AsMemory(i * dimensions, dimensions) };
        }

        return (vectors, turns, Query(random));
    }

    public static float[] Query(Random random)
    {
        var query = new float[TopKSelectionBenchmarks.Dimensions];
        for (var i = 0; i < query.Length; i++)
        {
            query[i] = (float)(random.NextDouble() - 0.5);
        }

        TensorPrimitives.Divide(query, TensorPrimitives.Norm(query), query);
        return query;
    }
}
