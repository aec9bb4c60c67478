namespace Dexter.Sessions.Embeddings.Tests.Ranking;

public class UnitVectorsTests
{
    [Test]
    public void Normalize_UnitVector_ReturnsSameMemory()
    {
        ReadOnlyMemory<float> vector = new[] { 0.6f, 0.8f, 0f };

        Assert.That(UnitVectors.Normalize(vector).Equals(vector), Is.True);
    }

    [Test]
    public void Normalize_LongerVector_ReturnsUnitCopy()
    {
        var vector = new[] { 3f, 4f, 0f };

        var normalized = UnitVectors.Normalize(vector);

        Assert.Multiple(() =>
        {
            Assert.That(normalized.ToArray(), Is.EqualTo(new[] { 0.6f, 0.8f, 0f }).Within(1e-6f));
            Assert.That(vector, Is.EqualTo(new[] { 3f, 4f, 0f }));
        });
    }

    [Test]
    public void Normalize_ZeroOrEmptyVector_ReturnsItUnchanged()
    {
        ReadOnlyMemory<float> zero = new float[3];

        Assert.Multiple(() =>
        {
            Assert.That(UnitVectors.Normalize(zero).Equals(zero), Is.True);
            Assert.That(UnitVectors.Normalize(ReadOnlyMemory<float>.Empty).IsEmpty, Is.True);
        });
    }

    [TestCase(new[] { 0.6f, 0.8f }, 1f)]
    [TestCase(new[] { 3f, 4f }, 0.2f)]
    [TestCase(new[] { 0.3f, 0.4f }, 2f)]
    public void GetInverseNorm_Vector_ReturnsOneOverNormAndExactlyOneForUnitVectors(float[] vector, float expected)
    {
        Assert.That(UnitVectors.GetInverseNorm(vector), Is.EqualTo(expected).Within(1e-6f));
    }

    [Test]
    public void GetInverseNorm_ZeroVector_ReturnsNaN()
    {
        Assert.That(UnitVectors.GetInverseNorm(new float[4]), Is.NaN);
    }
}
