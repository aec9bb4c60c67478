namespace Dexter.Sessions.Embeddings.MiniLM.Tests.Configuration;

public class MiniLMEmbeddingGeneratorOptionsValidatorTests
{
    private static readonly string Existing = typeof(MiniLMEmbeddingGeneratorOptionsValidatorTests).Assembly.Location;
    private static readonly string Missing = Path.Combine(Path.GetTempPath(), "dexter-no-such-folder", "model.onnx");

    [Test]
    public void Validate_Defaults_SucceedsWithTheDocumentedValues()
    {
        var options = new MiniLMEmbeddingGeneratorOptions();

        Assert.Multiple(() =>
        {
            Assert.That(Validate(options).Succeeded, Is.True);
            Assert.That(options.ModelPath, Is.Null);
            Assert.That(options.VocabularyPath, Is.Null);
            Assert.That(options.ModelId, Is.Null);
            Assert.That(options.MaxTokens, Is.EqualTo(256));
            Assert.That(options.BatchSize, Is.EqualTo(32));
            Assert.That(options.LowerCase, Is.True);
            Assert.That(options.InferenceThreads, Is.Zero);
        });
    }

    [Test]
    public void Validate_ExistingModelAndVocabularyFiles_Succeeds()
    {
        Assert.That(Validate(new MiniLMEmbeddingGeneratorOptions { ModelPath = Existing, VocabularyPath = Existing }).Succeeded, Is.True);
    }

    [Test]
    public void Validate_MissingModelFile_FailsNamingTheSettingAndThePath()
    {
        var result = Validate(new MiniLMEmbeddingGeneratorOptions { ModelPath = Missing, VocabularyPath = Existing });

        Assert.That(result.Failures, Is.EqualTo(new[]
        {
            $"Dexter:Sessions:MiniLM:ModelPath is '{Missing}', which is not an existing file; set it to the model's ONNX file " +
            "(such as onnx/model.onnx of a sentence-transformers export), or leave it unset to use the bundled all-MiniLM-L6-v2.",
        }));
    }

    [Test]
    public void Validate_ModelWithoutVocabulary_FailsNamingVocabularyPath()
    {
        var result = Validate(new MiniLMEmbeddingGeneratorOptions { ModelPath = Existing });

        Assert.That(result.Failures, Is.EqualTo(new[]
        {
            "Dexter:Sessions:MiniLM:VocabularyPath is not set, but Dexter:Sessions:MiniLM:ModelPath is; set it to the model's vocab.txt.",
        }));
    }

    [Test]
    public void Validate_VocabularyWithoutModel_FailsNamingBoth()
    {
        var result = Validate(new MiniLMEmbeddingGeneratorOptions { VocabularyPath = Existing });

        Assert.That(result.FailureMessage, Does.StartWith("Dexter:Sessions:MiniLM:VocabularyPath is set, but Dexter:Sessions:MiniLM:ModelPath is not;"));
    }

    [Test]
    public void Validate_MissingVocabularyFile_FailsNamingTheSettingAndThePath()
    {
        var result = Validate(new MiniLMEmbeddingGeneratorOptions { ModelPath = Existing, VocabularyPath = Missing });

        Assert.That(result.Failures, Is.EqualTo(new[]
        {
            $"Dexter:Sessions:MiniLM:VocabularyPath is '{Missing}', which is not an existing file; set it to the model's vocab.txt (one WordPiece token a line).",
        }));
    }

    [Test]
    public void Validate_BlankModelId_Fails()
    {
        Assert.That(
            Validate(new MiniLMEmbeddingGeneratorOptions { ModelId = " " }).FailureMessage,
            Is.EqualTo("Dexter:Sessions:MiniLM:ModelId is blank; name the model, or leave it unset for the default."));
    }

    [TestCase(1)]
    [TestCase(0)]
    [TestCase(8193)]
    public void Validate_MaxTokensOutOfRange_Fails(int maxTokens)
    {
        Assert.That(
            Validate(new MiniLMEmbeddingGeneratorOptions { MaxTokens = maxTokens }).FailureMessage,
            Is.EqualTo($"Dexter:Sessions:MiniLM:MaxTokens must be between 2 (room for [CLS] and [SEP]) and 8192; it is {maxTokens}."));
    }

    [TestCase(2)]
    [TestCase(512)]
    [TestCase(8192)]
    public void Validate_MaxTokensInRange_Succeeds(int maxTokens)
    {
        Assert.That(Validate(new MiniLMEmbeddingGeneratorOptions { MaxTokens = maxTokens }).Succeeded, Is.True);
    }

    [Test]
    public void Validate_BatchSizeZero_Fails()
    {
        Assert.That(
            Validate(new MiniLMEmbeddingGeneratorOptions { BatchSize = 0 }).FailureMessage,
            Is.EqualTo("Dexter:Sessions:MiniLM:BatchSize must be at least 1; it is 0."));
    }

    [Test]
    public void Validate_NegativeInferenceThreads_Fails()
    {
        Assert.That(
            Validate(new MiniLMEmbeddingGeneratorOptions { InferenceThreads = -1 }).FailureMessage,
            Is.EqualTo("Dexter:Sessions:MiniLM:InferenceThreads must be 0 (ONNX Runtime's choice) or more; it is -1."));
    }

    [Test]
    public void Validate_SeveralProblems_ReportsEach()
    {
        var result = Validate(new MiniLMEmbeddingGeneratorOptions { ModelPath = Missing, MaxTokens = 1, BatchSize = 0 });

        Assert.That(result.Failures?.ToList(), Has.Count.EqualTo(4));
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(MiniLMEmbeddingGeneratorOptions options) =>
        MiniLMEmbeddingGeneratorOptionsValidator.Instance.Validate(null, options);
}
