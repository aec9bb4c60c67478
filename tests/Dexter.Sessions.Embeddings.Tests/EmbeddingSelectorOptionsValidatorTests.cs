using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.Tests;

public class EmbeddingSelectorOptionsValidatorTests
{
    [Test]
    public void Validate_Defaults_Succeeds()
    {
        var result = EmbeddingSelectorOptionsValidator.Instance.Validate(null, new EmbeddingSelectorOptions());

        Assert.That(result.Succeeded, Is.True);
    }

    [Test]
    public void Validate_Defaults_MatchTheOriginalSelection()
    {
        var options = new EmbeddingSelectorOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.SimilarityWeight, Is.EqualTo(0.7));
            Assert.That(options.RecencyWeight, Is.EqualTo(0.3));
            Assert.That(options.SimilarityThreshold, Is.EqualTo(0.3));
            Assert.That(options.MaxCandidates, Is.EqualTo(1000));
            Assert.That(options.EmbeddingTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
        });
    }

    [TestCase(-0.1, 0.3, "EmbeddingSelectorOptions.SimilarityWeight must be a finite number of at least 0; it is -0.1.")]
    [TestCase(double.NaN, 0.3, "EmbeddingSelectorOptions.SimilarityWeight must be a finite number of at least 0; it is NaN.")]
    [TestCase(0.7, -1.0, "EmbeddingSelectorOptions.RecencyWeight must be a finite number of at least 0; it is -1.")]
    [TestCase(0.7, double.PositiveInfinity, "EmbeddingSelectorOptions.RecencyWeight must be a finite number of at least 0; it is Infinity.")]
    [TestCase(0.0, 0.0, "EmbeddingSelectorOptions.SimilarityWeight and RecencyWeight are both 0; give at least one of them a positive weight.")]
    public void Validate_BadWeights_FailsWithMessage(double similarityWeight, double recencyWeight, string message)
    {
        var result = Validate(new EmbeddingSelectorOptions { SimilarityWeight = similarityWeight, RecencyWeight = recencyWeight });

        Assert.That(result.Failures, Is.EqualTo(new[] { message }));
    }

    [TestCase(-1.5)]
    [TestCase(1.01)]
    [TestCase(double.NaN)]
    public void Validate_ThresholdOutOfRange_FailsWithMessage(double threshold)
    {
        var result = Validate(new EmbeddingSelectorOptions { SimilarityThreshold = threshold });

        Assert.That(result.FailureMessage, Does.StartWith("EmbeddingSelectorOptions.SimilarityThreshold must be between -1 and 1; it is "));
    }

    [TestCase(-1.0)]
    [TestCase(1.0)]
    public void Validate_ThresholdAtBounds_Succeeds(double threshold)
    {
        Assert.That(Validate(new EmbeddingSelectorOptions { SimilarityThreshold = threshold }).Succeeded, Is.True);
    }

    [Test]
    public void Validate_MaxCandidatesZero_FailsWithMessage()
    {
        var result = Validate(new EmbeddingSelectorOptions { MaxCandidates = 0 });

        Assert.That(result.FailureMessage, Is.EqualTo("EmbeddingSelectorOptions.MaxCandidates must be at least 1; it is 0."));
    }

    [Test]
    public void Validate_ZeroTimeout_FailsWithMessage()
    {
        var result = Validate(new EmbeddingSelectorOptions { EmbeddingTimeout = TimeSpan.Zero });

        Assert.That(result.FailureMessage, Is.EqualTo("EmbeddingSelectorOptions.EmbeddingTimeout must be positive, or Timeout.InfiniteTimeSpan for no limit; it is 00:00:00."));
    }

    [Test]
    public void Validate_InfiniteTimeout_Succeeds()
    {
        Assert.That(Validate(new EmbeddingSelectorOptions { EmbeddingTimeout = Timeout.InfiniteTimeSpan }).Succeeded, Is.True);
    }

    [Test]
    public void Validate_SeveralBadValues_ReportsEach()
    {
        var result = Validate(new EmbeddingSelectorOptions { MaxCandidates = -1, SimilarityThreshold = 2 });

        Assert.That(result.Failures!.Count(), Is.EqualTo(2));
    }

    private static ValidateOptionsResult Validate(EmbeddingSelectorOptions options) => EmbeddingSelectorOptionsValidator.Instance.Validate(null, options);
}
