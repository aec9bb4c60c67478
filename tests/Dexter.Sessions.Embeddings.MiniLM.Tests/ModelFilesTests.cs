using Dexter.Sessions.Embeddings.MiniLM.Tests.TestSupport;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.MiniLM.Tests;

/// <summary>A model given by <see cref="MiniLMEmbeddingGeneratorOptions.ModelPath"/> and <see cref="MiniLMEmbeddingGeneratorOptions.VocabularyPath"/>.</summary>
[NonParallelizable]
public class ModelFilesTests
{
    private ExtractedModel _files = null!;

    [OneTimeSetUp]
    public void ExtractTheBundledModel() => _files = new ExtractedModel();

    [OneTimeTearDown]
    public void DeleteTheFiles() => _files.Dispose();

    [Test]
    public async Task GenerateAsync_TheBundledModelAsFiles_GivesTheSameVectors()
    {
        string[] texts = ["The weather is lovely today.", "Café Zürich", string.Empty, Texts.Words(400)];
        using var generator = new MiniLMEmbeddingGenerator(Options.Create(new MiniLMEmbeddingGeneratorOptions
        {
            ModelPath = _files.ModelPath,
            VocabularyPath = _files.VocabularyPath,
        }));

        var fromFiles = await generator.GenerateAsync(texts);
        var bundled = await SharedGenerator.Instance.GenerateAsync(texts);

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.That(fromFiles[i].Vector.ToArray(), Is.EqualTo(bundled[i].Vector.ToArray()).Within(1e-6f), $"text {i}");
        }
    }

    [Test]
    public async Task GetService_ModelFromFiles_ReportsTheFileNameAndTheLengthOnceLoaded()
    {
        using var generator = new MiniLMEmbeddingGenerator(Options.Create(new MiniLMEmbeddingGeneratorOptions
        {
            ModelPath = _files.ModelPath,
            VocabularyPath = _files.VocabularyPath,
        }));

        var before = generator.GetService<EmbeddingGeneratorMetadata>();
        var embedding = (await generator.GenerateAsync(["text"]))[0];
        var after = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.Multiple(() =>
        {
            Assert.That(before?.DefaultModelId, Is.EqualTo("all-MiniLM-L6-v2"), "the name of the file, without .onnx");
            Assert.That(before?.DefaultModelDimensions, Is.Null, "not known before the model is loaded");
            Assert.That(after?.DefaultModelDimensions, Is.EqualTo(384));
            Assert.That(after?.ProviderName, Is.EqualTo("onnxruntime"));
            Assert.That(embedding.ModelId, Is.EqualTo("all-MiniLM-L6-v2"));
        });
    }

    [Test]
    public void Constructor_ModelIdSet_ReportsIt()
    {
        using var generator = new MiniLMEmbeddingGenerator(Options.Create(new MiniLMEmbeddingGeneratorOptions
        {
            ModelPath = _files.ModelPath,
            VocabularyPath = _files.VocabularyPath,
            ModelId = "sentence-transformers/all-MiniLM-L6-v2",
        }));

        Assert.That(generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId, Is.EqualTo("sentence-transformers/all-MiniLM-L6-v2"));
    }

    [Test]
    public async Task GenerateAsync_FileIsNotAModel_FailsLogsAndTriesAgainOnTheNextCall()
    {
        var notAModel = Path.Combine(_files.Directory, "not-a-model.onnx");
        await File.WriteAllTextAsync(notAModel, "this is not an ONNX model");
        var logger = new CollectingLogger<MiniLMEmbeddingGenerator>();
        using var generator = new MiniLMEmbeddingGenerator(
            Options.Create(new MiniLMEmbeddingGeneratorOptions { ModelPath = notAModel, VocabularyPath = _files.VocabularyPath }),
            logger);

        Assert.That(() => generator.GenerateAsync(["text"]), Throws.Exception);
        Assert.That(() => generator.GenerateAsync(["text"]), Throws.Exception);

        var failures = logger.Entries.Where(e => e.EventId.Id == 4101).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(failures, Has.Count.EqualTo(2), "a failed load is not kept: each call tries again");
            Assert.That(failures[0].Message, Does.Contain(notAModel));
            Assert.That(failures[0].Exception, Is.Not.Null);
        });
    }

    [Test]
    public async Task Tokenize_LowerCaseOff_KeepsCaseAndAccents()
    {
        using var generator = new MiniLMEmbeddingGenerator(Options.Create(new MiniLMEmbeddingGeneratorOptions
        {
            ModelPath = _files.ModelPath,
            VocabularyPath = _files.VocabularyPath,
            LowerCase = false,
        }));

        var model = generator.GetModel();
        var cased = model.Tokenize("Café", out _);
        var uncased = SharedGenerator.Instance.GetModel().Tokenize("Café", out _);
        var embedding = (await generator.GenerateAsync(["Café"]))[0];

        Assert.Multiple(() =>
        {
            Assert.That(uncased, Is.EqualTo(new[] { 101, 7668, 102 }), "[CLS] cafe [SEP]");
            Assert.That(cased, Is.Not.EqualTo(uncased));
            Assert.That(embedding.Vector.Length, Is.EqualTo(384));
        });
    }
}
