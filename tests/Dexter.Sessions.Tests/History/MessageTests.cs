namespace Dexter.Sessions.Tests.History;

public sealed class MessageTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static Message Sample() => new()
    {
        Id = 3,
        Query = "q",
        Answer = "a",
        Summary = "s",
        CreatedAt = At,
        InputTokenCount = 10,
        OutputTokenCount = 5,
        ResponseTime = TimeSpan.FromSeconds(2),
        Embedding = new float[] { 1f, 2f, 3f },
    };

    [Test]
    public void New_OptionalFields_HaveTheirDefaults()
    {
        var message = new Message { Query = "q", Answer = "a" };

        Assert.Multiple(() =>
        {
            Assert.That(message.Id, Is.Zero);
            Assert.That(message.Summary, Is.Empty);
            Assert.That(message.CreatedAt, Is.EqualTo(default(DateTimeOffset)));
            Assert.That(message.InputTokenCount, Is.Null);
            Assert.That(message.OutputTokenCount, Is.Null);
            Assert.That(message.ResponseTime, Is.Null);
            Assert.That(message.Embedding.IsEmpty, Is.True);
        });
    }

    [Test]
    public void Equals_SameValuesAndEmbeddingInAnotherArray_AreEqual()
    {
        var a = Sample();
        var b = Sample() with { Embedding = new float[] { 1f, 2f, 3f } };

        Assert.Multiple(() =>
        {
            Assert.That(a.Equals(b), Is.True);
            Assert.That(a == b, Is.True);
            Assert.That(a.Equals((object)b), Is.True);
            Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        });
    }

    private static IEnumerable<TestCaseData> Differences()
    {
        yield return new TestCaseData((Func<Message, Message>)(m => m with { Id = 4 })).SetName("Equals_DifferentId_AreNotEqual");
        yield return new TestCaseData((Func<Message, Message>)(m => m with { Query = "other" })).SetName("Equals_DifferentQuery_AreNotEqual");
        yield return new TestCaseData((Func<Message, Message>)(m => m with { Answer = "other" })).SetName("Equals_DifferentAnswer_AreNotEqual");
        yield return new TestCaseData((Func<Message, Message>)(m => m with { Summary = "other" })).SetName("Equals_DifferentSummary_AreNotEqual");
        yield return new TestCaseData((Func<Message, Message>)(m => m with { CreatedAt = At.AddTicks(1) })).SetName("Equals_DifferentCreatedAt_AreNotEqual");
        yield return new TestCaseData((Func<Message, Message>)(m => m with { InputTokenCount = null })).SetName("Equals_DifferentInputTokens_AreNotEqual");
        yield return new TestCaseData((Func<Message, Message>)(m => m with { OutputTokenCount = 6 })).SetName("Equals_DifferentOutputTokens_AreNotEqual");
        yield return new TestCaseData((Func<Message, Message>)(m => m with { ResponseTime = TimeSpan.FromSeconds(3) })).SetName("Equals_DifferentResponseTime_AreNotEqual");
        yield return new TestCaseData((Func<Message, Message>)(m => m with { Embedding = new float[] { 1f, 2f, 4f } })).SetName("Equals_DifferentEmbeddingValue_AreNotEqual");
        yield return new TestCaseData((Func<Message, Message>)(m => m with { Embedding = new float[] { 1f, 2f } })).SetName("Equals_ShorterEmbedding_AreNotEqual");
        yield return new TestCaseData((Func<Message, Message>)(m => m with { Embedding = ReadOnlyMemory<float>.Empty })).SetName("Equals_NoEmbedding_AreNotEqual");
    }

    [TestCaseSource(nameof(Differences))]
    public void Equals_OneFieldDiffers_AreNotEqual(Func<Message, Message> change)
    {
        var a = Sample();
        var b = change(Sample());

        Assert.Multiple(() =>
        {
            Assert.That(a.Equals(b), Is.False);
            Assert.That(a != b, Is.True);
        });
    }

    [Test]
    public void Equals_Null_IsFalse()
    {
        Assert.That(Sample().Equals(null), Is.False);
    }

    [Test]
    public void GetRepresentativeText_WithSummary_ReturnsTheSummary()
    {
        Assert.That(Sample().GetRepresentativeText(), Is.EqualTo("s"));
    }

    [TestCase("")]
    [TestCase("  \n")]
    public void GetRepresentativeText_NoSummary_ReturnsQueryAndAnswer(string summary)
    {
        var message = new Message { Query = "What is Bitcoin?", Answer = "A currency.", Summary = summary };

        Assert.That(message.GetRepresentativeText(), Is.EqualTo("What is Bitcoin?\nA currency."));
    }
}
