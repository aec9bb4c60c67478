using System.Numerics.Tensors;

namespace Dexter.Sessions.Embeddings.Tests.TestSupport;

/// <summary>Random vectors and turns for ranking tests.</summary>
internal static class RandomVectors
{
    /// <summary>A vector of <paramref name="dimensions"/> components uniform in [-0.5, 0.5), L2-normalized.</summary>
    public static float[] Unit(Random random, int dimensions)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (float)(random.NextDouble() - 0.5);
        }

        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        return vector;
    }

    /// <summary><paramref name="count"/> turns with ids 1..count and random unit vectors.</summary>
    public static Message[] Turns(Random random, int count, int dimensions) =>
        Enumerable.Range(1, count).Select(id => TestSupport.Turns.Create(id, "turn " + id, Unit(random, dimensions))).ToArray();

    /// <summary>The same turns with every vector multiplied by a factor between 0.1 and 10, as vectors stored before normalization.</summary>
    public static Message[] Scaled(Random random, IEnumerable<Message> turns) =>
        turns.Select(turn =>
        {
            var vector = turn.Embedding.ToArray();
            TensorPrimitives.Multiply(vector, (float)Math.Pow(10, (random.NextDouble() * 2) - 1), vector);
            return turn with { Embedding = vector };
        }).ToArray();

    /// <summary>The share of <paramref name="expected"/> ids found in <paramref name="actual"/>.</summary>
    public static double Recall(IEnumerable<Message> expected, IEnumerable<Message> actual)
    {
        var wanted = expected.Select(t => t.Id).ToHashSet();
        return wanted.Count == 0 ? 1 : (double)actual.Count(t => wanted.Contains(t.Id)) / wanted.Count;
    }
}
