using Dexter.Sessions.Embeddings.MiniLM.Tests.TestSupport;

namespace Dexter.Sessions.Embeddings.MiniLM.Tests.Onnx;

/// <summary>Tokenization as sentence-transformers does it for all-MiniLM-L6-v2 (ids of its vocab.txt).</summary>
public class SentenceModelTests
{
    private static SentenceModel Model => SharedGenerator.Instance.GetModel();

    [Test]
    public void Tokenize_Sentence_FramesLowerCasedWordPiecesWithClsAndSep()
    {
        var ids = Model.Tokenize("The weather is lovely today.", out var truncated);

        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(new[] { 101, 1996, 4633, 2003, 8403, 2651, 1012, 102 }));
            Assert.That(truncated, Is.False);
        });
    }

    [Test]
    public void Tokenize_AccentedText_GivesTheIdsOfTheUnaccentedText()
    {
        Assert.That(Model.Tokenize("Café Zürich", out _), Is.EqualTo(Model.Tokenize("Cafe Zurich", out _)));
    }

    [Test]
    public void Tokenize_EmptyText_IsClsAndSep()
    {
        Assert.That(Model.Tokenize(string.Empty, out _), Is.EqualTo(new[] { 101, 102 }));
    }

    [Test]
    public void Tokenize_TenThousandWords_KeepsTheFirst254PiecesAndSep()
    {
        var ids = Model.Tokenize(Texts.Words(10_000), out var truncated);

        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Length.EqualTo(256));
            Assert.That(ids[..255], Is.EqualTo(Model.Tokenize(Texts.Words(254), out _)[..255]));
            Assert.That(ids[^1], Is.EqualTo(102));
            Assert.That(truncated, Is.True);
        });
    }

    [Test]
    public void Tokenize_WordAcrossTheLimit_IsCutWithinTheWord()
    {
        // 253 one-piece words, then "unaffableness" (un ##aff ##able ##ness): room is left for its first piece only.
        var ids = Model.Tokenize(Texts.Words(253) + " unaffableness", out var truncated);

        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Length.EqualTo(256));
            Assert.That(ids[^2], Is.EqualTo(14477), "un, the first piece of the word");
            Assert.That(truncated, Is.True);
        });
    }

    [Test]
    public void Tokenize_ExactlyTheLimit_IsNotTruncated()
    {
        var ids = Model.Tokenize(Texts.Words(254), out var truncated);

        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.Length.EqualTo(256));
            Assert.That(truncated, Is.False);
        });
    }
}
