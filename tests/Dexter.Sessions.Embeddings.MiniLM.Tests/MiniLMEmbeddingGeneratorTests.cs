using System.Numerics.Tensors;
using Dexter.Sessions.Embeddings.MiniLM.Tests.TestSupport;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.MiniLM.Tests;

/// <summary>The generator on the real all-MiniLM-L6-v2 weights.</summary>
public class MiniLMEmbeddingGeneratorTests
{
    private static MiniLMEmbeddingGenerator Generator => SharedGenerator.Instance;

    [Test]
    public async Task GenerateAsync_SentenceTransformersExample_GivesItsCosines()
    {
        // The example of sentence-transformers' documentation for all-MiniLM-L6-v2, and the similarities it prints.
        var embeddings = await Generator.GenerateAsync(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]);
        var (weather, sunny, stadium) = (embeddings[0].Vector, embeddings[1].Vector, embeddings[2].Vector);

        Assert.Multiple(() =>
        {
            Assert.That(TensorPrimitives.CosineSimilarity(weather.Span, sunny.Span), Is.EqualTo(0.6660).Within(0.0005));
            Assert.That(TensorPrimitives.CosineSimilarity(weather.Span, stadium.Span), Is.EqualTo(0.1046).Within(0.0005));
            Assert.That(TensorPrimitives.CosineSimilarity(sunny.Span, stadium.Span), Is.EqualTo(0.1411).Within(0.0005));
        });
    }

    [Test]
    public async Task GenerateAsync_AnyText_Returns384DimensionUnitVectorWithModelId()
    {
        var embedding = (await Generator.GenerateAsync(["Deploy the service to production"]))[0];

        Assert.Multiple(() =>
        {
            Assert.That(embedding.Vector.Length, Is.EqualTo(384));
            Assert.That(TensorPrimitives.Norm(embedding.Vector.Span), Is.EqualTo(1f).Within(1e-5));
            Assert.That(embedding.ModelId, Is.EqualTo("all-MiniLM-L6-v2"));
        });
    }

    [Test]
    public async Task GenerateAsync_AccentedText_EmbedsLikeTheUnaccentedText()
    {
        var embeddings = await Generator.GenerateAsync(["Café Zürich", "Cafe Zurich"]);

        Assert.That(TensorPrimitives.CosineSimilarity(embeddings[0].Vector.Span, embeddings[1].Vector.Span), Is.GreaterThan(0.99f));
    }

    [Test]
    public async Task GenerateAsync_EmptyString_ReturnsUnitVectorOfClsAndSep()
    {
        var embeddings = await Generator.GenerateAsync([string.Empty, "   "]);

        Assert.Multiple(() =>
        {
            Assert.That(embeddings[0].Vector.Length, Is.EqualTo(384));
            Assert.That(TensorPrimitives.Norm(embeddings[0].Vector.Span), Is.EqualTo(1f).Within(1e-5));
            Assert.That(embeddings[1].Vector.ToArray(), Is.EqualTo(embeddings[0].Vector.ToArray()).Within(1e-6f), "blank text has no word piece either");
        });
    }

    [Test]
    public async Task GenerateAsync_TenThousandWords_EmbedsItsFirst254WordPieces()
    {
        var longText = Texts.Words(10_000);
        var first254 = Texts.Words(254);

        var embeddings = await Generator.GenerateAsync([longText, first254, Texts.Words(253)]);

        Assert.Multiple(() =>
        {
            Assert.That(TensorPrimitives.Norm(embeddings[0].Vector.Span), Is.EqualTo(1f).Within(1e-5));
            Assert.That(embeddings[0].Vector.ToArray(), Is.EqualTo(embeddings[1].Vector.ToArray()).Within(1e-5f));
            Assert.That(embeddings[0].Vector.ToArray(), Is.Not.EqualTo(embeddings[2].Vector.ToArray()).Within(1e-5f), "one piece less is another text");
            Assert.That(embeddings.Usage?.InputTokenCount, Is.EqualTo(256 + 256 + 255));
        });
    }

    [Test]
    public async Task GenerateAsync_Batch_EqualsOneByOne()
    {
        // 40 texts of 2 to 256 tokens: two batches of the default 32, texts grouped by length, padding in each.
        var texts = Texts.OfManyLengths(40);

        var batched = await Generator.GenerateAsync(texts);

        Assert.That(batched, Has.Count.EqualTo(texts.Count));
        for (var i = 0; i < texts.Count; i++)
        {
            var single = (await Generator.GenerateAsync([texts[i]]))[0];
            Assert.That(batched[i].Vector.ToArray(), Is.EqualTo(single.Vector.ToArray()).Within(1e-5f), $"text {i}");
        }
    }

    [Test]
    public async Task GenerateAsync_SmallBatchSize_GivesTheSameVectors()
    {
        var texts = Texts.OfManyLengths(7);
        using var generator = new MiniLMEmbeddingGenerator(Options.Create(new MiniLMEmbeddingGeneratorOptions { BatchSize = 2 }));

        var expected = await Generator.GenerateAsync(texts);
        var actual = await generator.GenerateAsync(texts);

        for (var i = 0; i < texts.Count; i++)
        {
            Assert.That(actual[i].Vector.ToArray(), Is.EqualTo(expected[i].Vector.ToArray()).Within(1e-5f), $"text {i}");
        }
    }

    [Test]
    public async Task GenerateAsync_ConcurrentCalls_GiveIdenticalResults()
    {
        string[] texts = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium.", "Café Zürich", string.Empty];
        var expected = (await Generator.GenerateAsync(texts)).Select(e => e.Vector.ToArray()).ToList();

        var calls = Enumerable.Range(0, 8).Select(_ => Task.Run(() => Generator.GenerateAsync(texts))).ToList();
        var results = await Task.WhenAll(calls);

        foreach (var result in results)
        {
            Assert.That(result.Select(e => e.Vector.ToArray()), Is.EqualTo(expected));
        }
    }

    [Test]
    public void GenerateAsync_CanceledBeforeTheCall_ThrowsOperationCanceledException()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.That(async () => await Generator.GenerateAsync(["text"], cancellationToken: cancellation.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task GenerateAsync_CanceledWhileTheModelRuns_StopsTheRunAndTheNextCallWorks()
    {
        // The texts are cut (event 4102) once tokenized, right before the first batch of 32 texts of 256 tokens starts, which takes
        // hundreds of milliseconds at least: the cancellation lands within that run, not between batches.
        using var cancellation = new CancellationTokenSource();
        var logger = new CallbackLogger(e =>
        {
            if (e.Id == 4102)
            {
                cancellation.CancelAfter(TimeSpan.FromMilliseconds(50));
            }
        });
        using var generator = new MiniLMEmbeddingGenerator(logger: logger);
        await generator.GenerateAsync(["load the model first"]);
        var texts = Enumerable.Repeat(Texts.Words(300), 128).ToList();

        Assert.That(
            () => generator.GenerateAsync(texts, cancellationToken: cancellation.Token),
            Throws.InstanceOf<OperationCanceledException>().With.Message.EqualTo("The embedding was cancelled while the model ran."));
        var after = await generator.GenerateAsync(["The weather is lovely today.", "It's so sunny outside!"]);

        Assert.That(TensorPrimitives.CosineSimilarity(after[0].Vector.Span, after[1].Vector.Span), Is.EqualTo(0.6660).Within(0.0005));
    }

    [Test]
    public void GenerateAsync_NullValues_ThrowsArgumentNullException()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Generator.GenerateAsync(null!), Throws.ArgumentNullException);
            Assert.That(() => Generator.GenerateAsync(["text", null!]), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("values"));
        });
    }

    [Test]
    public async Task GenerateAsync_NoText_ReturnsNoEmbedding()
    {
        var embeddings = await Generator.GenerateAsync([]);

        Assert.That(embeddings, Is.Empty);
    }

    [Test]
    public async Task GenerateAsync_DimensionsOfTheModel_AreAccepted()
    {
        var embeddings = await Generator.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 384 });

        Assert.That(embeddings[0].Vector.Length, Is.EqualTo(384));
    }

    [Test]
    public void GenerateAsync_OtherDimensions_ThrowsNamingTheModelsLength()
    {
        Assert.That(
            () => Generator.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 128 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("384 dimensions").And.Message.Contains("asked for 128"));
    }

    [Test]
    public void GetService_Metadata_NamesProviderModelAndDimensions()
    {
        using var generator = new MiniLMEmbeddingGenerator();

        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.Multiple(() =>
        {
            Assert.That(metadata?.ProviderName, Is.EqualTo("onnxruntime"));
            Assert.That(metadata?.DefaultModelId, Is.EqualTo("all-MiniLM-L6-v2"));
            Assert.That(metadata?.DefaultModelDimensions, Is.EqualTo(384));
        });
    }

    [Test]
    public void GetService_ItsOwnType_ReturnsItselfAndNothingWithAKey()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Generator.GetService<MiniLMEmbeddingGenerator>(), Is.SameAs(Generator));
            Assert.That(Generator.GetService(typeof(MiniLMEmbeddingGenerator), "key"), Is.Null);
            Assert.That(Generator.GetService<string>(), Is.Null);
            Assert.That(() => Generator.GetService(null!), Throws.ArgumentNullException);
        });
    }

    [Test]
    public async Task Constructor_LoadsNothing_TheFirstCallsLoadTheModelOnceAndLogIt()
    {
        var logger = new CollectingLogger<MiniLMEmbeddingGenerator>();
        using var generator = new MiniLMEmbeddingGenerator(logger: logger);
        var beforeFirstCall = logger.Entries.Count;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => generator.GenerateAsync(["text"]))));

        var loaded = logger.Entries.Where(e => e.EventId.Id == 4100).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(beforeFirstCall, Is.Zero);
            Assert.That(loaded, Has.Count.EqualTo(1));
            Assert.That(loaded[0].Level, Is.EqualTo(LogLevel.Information));
            Assert.That(loaded[0].Message, Does.Contain("all-MiniLM-L6-v2").And.Contain("384 dimensions").And.Contain("input_ids, attention_mask, token_type_ids"));
        });
    }

    [Test]
    public async Task GenerateAsync_LongText_LogsTheCutAtDebug()
    {
        var logger = new CollectingLogger<MiniLMEmbeddingGenerator>();
        using var generator = new MiniLMEmbeddingGenerator(logger: logger);

        await generator.GenerateAsync([Texts.Words(300), "short"]);

        var cut = logger.Entries.Single(e => e.EventId.Id == 4102);
        Assert.Multiple(() =>
        {
            Assert.That(cut.Level, Is.EqualTo(LogLevel.Debug));
            Assert.That(cut.Message, Is.EqualTo("Cut 1 of 2 texts to their first 256 tokens."));
        });
    }

    [Test]
    public async Task Dispose_AfterUse_IsIdempotentAndLaterCallsThrowObjectDisposedException()
    {
        var generator = new MiniLMEmbeddingGenerator();
        await generator.GenerateAsync(["text"]);

        generator.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(generator.Dispose, Throws.Nothing);
            Assert.That(() => generator.GenerateAsync(["text"]), Throws.InstanceOf<ObjectDisposedException>());
        });
    }

    [Test]
    public void Dispose_BeforeAnyCall_DoesNotLoadTheModel()
    {
        var logger = new CollectingLogger<MiniLMEmbeddingGenerator>();
        var generator = new MiniLMEmbeddingGenerator(logger: logger);

        generator.Dispose();
        generator.Dispose();

        Assert.That(logger.Entries, Is.Empty);
    }

    [Test]
    public async Task Dispose_WhileACallRuns_LetsItFinishAndRefusesNewCalls()
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var generator = new MiniLMEmbeddingGenerator(logger: new CallbackLogger(e =>
        {
            if (e.Id == 4102)
            {
                running.TrySetResult();
            }
        }));
        var call = Task.Run(() => generator.GenerateAsync(Enumerable.Repeat(Texts.Words(300), 64)));
        await running.Task.WaitAsync(TimeSpan.FromMinutes(1));

        generator.Dispose();
        var embeddings = await call;

        Assert.Multiple(() =>
        {
            Assert.That(embeddings, Has.Count.EqualTo(64));
            Assert.That(TensorPrimitives.Norm(embeddings[63].Vector.Span), Is.EqualTo(1f).Within(1e-5));
            Assert.That(() => generator.GenerateAsync(["text"]), Throws.InstanceOf<ObjectDisposedException>());
        });
    }

    [Test]
    public void Constructor_InvalidOptions_ThrowsArgumentExceptionNamingTheSetting()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-folder", "model.onnx");

        Assert.That(
            () => new MiniLMEmbeddingGenerator(Options.Create(new MiniLMEmbeddingGeneratorOptions { ModelPath = missing, VocabularyPath = missing })),
            Throws.ArgumentException.With.Message.Contains("Dexter:Sessions:MiniLM:ModelPath is '" + missing + "', which is not an existing file"));
    }

    [Test]
    public void Constructor_OptionsChangedAfterwards_KeepsTheValuesItWasGiven()
    {
        var options = new MiniLMEmbeddingGeneratorOptions { ModelId = "mine" };
        using var generator = new MiniLMEmbeddingGenerator(Options.Create(options));

        options.ModelId = "changed";

        Assert.That(generator.ModelId, Is.EqualTo("mine"));
    }
}
