using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Embeddings.Tests;

public class HashingEmbeddingGeneratorTests
{
    private HashingEmbeddingGenerator _generator = null!;

    [SetUp]
    public void SetUp() => _generator = new HashingEmbeddingGenerator();

    [TearDown]
    public void TearDown() => _generator.Dispose();

    [Test]
    public void Constructor_DimensionsBelowOne_ThrowsArgumentOutOfRangeException()
    {
        Assert.That(() => new HashingEmbeddingGenerator(0), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("dimensions"));
    }

    [Test]
    public async Task GenerateAsync_Default_Returns384Dimensions()
    {
        var vector = await _generator.GenerateVectorAsync("Deploy the service to production");

        Assert.That(vector.Length, Is.EqualTo(384));
    }

    [TestCase(1)]
    [TestCase(64)]
    [TestCase(1536)]
    public async Task GenerateAsync_ConfiguredDimensions_ReturnsThatLength(int dimensions)
    {
        using var generator = new HashingEmbeddingGenerator(dimensions);

        var vector = await generator.GenerateVectorAsync("Deploy the service to production");

        Assert.That(vector.Length, Is.EqualTo(dimensions));
    }

    [Test]
    public async Task GenerateAsync_DimensionsInOptions_OverrideTheDefault()
    {
        var vector = await _generator.GenerateVectorAsync("text", new EmbeddingGenerationOptions { Dimensions = 32 });

        Assert.That(vector.Length, Is.EqualTo(32));
    }

    [Test]
    public void GenerateAsync_DimensionsInOptionsBelowOne_ThrowsArgumentOutOfRangeException()
    {
        Assert.That(
            async () => await _generator.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 0 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [TestCase("Deploy the service to production")]
    [TestCase("x")]
    [TestCase("Ünïcödé wörds, 数字 123 and CAPITALS!")]
    public async Task GenerateAsync_AnyText_ReturnsUnitVector(string text)
    {
        var vector = await _generator.GenerateVectorAsync(text);

        Assert.That(TensorPrimitives.Norm(vector.Span), Is.EqualTo(1f).Within(1e-5f));
    }

    [TestCase("")]
    [TestCase("  ,;!? ")]
    [TestCase("the of and")]
    public async Task GenerateAsync_TextWithoutContentWords_ReturnsZeroVector(string text)
    {
        var vector = await _generator.GenerateVectorAsync(text);

        Assert.That(vector.ToArray(), Is.All.Zero);
    }

    [Test]
    public async Task GenerateAsync_SameText_ReturnsSameVectorAcrossInstances()
    {
        using var other = new HashingEmbeddingGenerator();

        var first = await _generator.GenerateVectorAsync("Kubernetes pods keep restarting after the upgrade");
        var second = await other.GenerateVectorAsync("Kubernetes pods keep restarting after the upgrade");

        Assert.That(first.ToArray(), Is.EqualTo(second.ToArray()));
    }

    [Test]
    public async Task GenerateAsync_KnownText_ReturnsTheSameVectorInEveryProcess()
    {
        // Pinned values: the hash is fixed (FNV-1a), not string.GetHashCode, so vectors survive restarts and machines.
        using var generator = new HashingEmbeddingGenerator(8);

        var vector = await generator.GenerateVectorAsync("Redis cache");

        Assert.That(vector.ToArray(), Is.EqualTo(new[] { -0.4487425f, 0f, 0f, -0.14958084f, 0f, 0f, -0.21368691f, 0.85474765f }).Within(1e-6f));
    }

    [Test]
    public async Task GenerateAsync_CaseAndPunctuation_DoNotChangeTheVector()
    {
        var first = await _generator.GenerateVectorAsync("Redis connection string");
        var second = await _generator.GenerateVectorAsync("  REDIS, connection... string!");

        Assert.That(first.ToArray(), Is.EqualTo(second.ToArray()));
    }

    [Test]
    public async Task GenerateAsync_SimilarTexts_ScoreHigherThanUnrelatedTexts()
    {
        var anchor = await _generator.GenerateVectorAsync("How do I configure the Redis connection string for caching?");
        var similar = await _generator.GenerateVectorAsync("Which Redis connection string configuration does the cache need?");
        var unrelated = await _generator.GenerateVectorAsync("Suggest a vegetarian lasagna recipe for six people.");

        var similarScore = TensorPrimitives.CosineSimilarity(anchor.Span, similar.Span);
        var unrelatedScore = TensorPrimitives.CosineSimilarity(anchor.Span, unrelated.Span);
        Assert.Multiple(() =>
        {
            Assert.That(similarScore, Is.GreaterThan(0.3f));
            Assert.That(unrelatedScore, Is.LessThan(0.1f));
            Assert.That(similarScore, Is.GreaterThan(unrelatedScore));
        });
    }

    [Test]
    public async Task GenerateAsync_WordForms_ShareFeaturesThroughTrigrams()
    {
        var deploy = await _generator.GenerateVectorAsync("deploying");
        var deployment = await _generator.GenerateVectorAsync("deployment");
        var holiday = await _generator.GenerateVectorAsync("holiday");

        Assert.That(
            TensorPrimitives.CosineSimilarity(deploy.Span, deployment.Span),
            Is.GreaterThan(TensorPrimitives.CosineSimilarity(deploy.Span, holiday.Span) + 0.2f));
    }

    [Test]
    public async Task GenerateAsync_ManyTexts_ReturnsOneEmbeddingPerTextInOrderWithModelId()
    {
        var embeddings = await _generator.GenerateAsync(["first text", "second text", "first text"]);

        Assert.Multiple(() =>
        {
            Assert.That(embeddings, Has.Count.EqualTo(3));
            Assert.That(embeddings[0].Vector.ToArray(), Is.EqualTo(embeddings[2].Vector.ToArray()));
            Assert.That(embeddings[0].Vector.ToArray(), Is.Not.EqualTo(embeddings[1].Vector.ToArray()));
            Assert.That(embeddings.Select(e => e.ModelId), Is.All.EqualTo(HashingEmbeddingGenerator.DefaultModelId));
        });
    }

    [Test]
    public void GenerateAsync_NullText_ThrowsArgumentNullException()
    {
        Assert.That(async () => await _generator.GenerateAsync(["ok", null!]), Throws.ArgumentNullException);
    }

    [Test]
    public void GenerateAsync_CancelledToken_ThrowsOperationCanceledException()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.That(async () => await _generator.GenerateAsync(["text"], cancellationToken: cancellation.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task GenerateAsync_ManyThreads_ReturnSameVectorsAsOneThread()
    {
        var texts = Enumerable.Range(0, 200).Select(i => $"Turn {i} about topic {i % 13} with detail {i * 7919 % 101}").ToArray();
        var expected = (await _generator.GenerateAsync(texts)).Select(e => e.Vector.ToArray()).ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            (await _generator.GenerateAsync(texts)).Select(e => e.Vector.ToArray()).ToArray())));

        Assert.That(results, Is.All.EqualTo(expected));
    }

    [Test]
    public void GetService_Metadata_DescribesTheGenerator()
    {
        using var generator = new HashingEmbeddingGenerator(256);

        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.Multiple(() =>
        {
            Assert.That(metadata, Is.Not.Null);
            Assert.That(metadata!.ProviderName, Is.EqualTo(HashingEmbeddingGenerator.ProviderName));
            Assert.That(metadata.DefaultModelId, Is.EqualTo(HashingEmbeddingGenerator.DefaultModelId));
            Assert.That(metadata.DefaultModelDimensions, Is.EqualTo(256));
            Assert.That(metadata.ProviderUri, Is.Null);
        });
    }

    [Test]
    public void GetService_OwnTypeOrInterface_ReturnsItself()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_generator.GetService<HashingEmbeddingGenerator>(), Is.SameAs(_generator));
            Assert.That(_generator.GetService<IEmbeddingGenerator<string, Embedding<float>>>(), Is.SameAs(_generator));
        });
    }

    [Test]
    public void GetService_KeyedOrUnknown_ReturnsNull()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_generator.GetService(typeof(HashingEmbeddingGenerator), "key"), Is.Null);
            Assert.That(_generator.GetService(typeof(string)), Is.Null);
        });
    }

    [Test]
    public void GetService_NullType_ThrowsArgumentNullException()
    {
        Assert.That(() => _generator.GetService(null!), Throws.ArgumentNullException);
    }
}
