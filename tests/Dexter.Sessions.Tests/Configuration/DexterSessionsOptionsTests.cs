namespace Dexter.Sessions.Tests.Configuration;

public sealed class DexterSessionsOptionsTests
{
    [Test]
    public void Defaults_MatchTheDocumentedValues()
    {
        var options = new DexterSessionsOptions();

        Assert.Multiple(() =>
        {
            Assert.That(DexterSessionsOptions.SectionName, Is.EqualTo("Dexter:Sessions"));
            Assert.That(options.MaxContextMessages, Is.EqualTo(10).And.EqualTo(DexterSessionsOptions.DefaultMaxContextMessages));
            Assert.That(options.SummarizeWithLlm, Is.False);
            Assert.That(options.UseEmbeddings, Is.False);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromHours(24)));
            Assert.That(options.SummarizerTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(options.MaxQueryLength, Is.EqualTo(8_000).And.EqualTo(DexterSessionsOptions.DefaultMaxQueryLength));
            Assert.That(options.Instructions, Is.Null);
        });
    }
}
