using Dexter.Sessions.Tests.TestSupport;
using Microsoft.Extensions.Configuration;

namespace Dexter.Sessions.Tests.Configuration;

public sealed class DexterSessionsOptionsBinderTests
{
    private static DexterSessionsOptions Bind(params (string Key, string Value)[] values)
    {
        var lookup = values.ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase);
        var options = new DexterSessionsOptions();
        DexterSessionsOptionsBinder.Bind(options, key => lookup.GetValueOrDefault(key));
        return options;
    }

    [Test]
    public void Bind_FromTheOriginalEnvironmentVariableNames()
    {
        var options = Bind(
            ("DEXTER_MAX_CONTEXT_MESSAGES", "5"),
            ("DEXTER_SUMMARIZE_LLM", "true"),
            ("DEXTER_USE_EMBEDDINGS", "1"),
            ("DEXTER_SESSION_TTL_SECONDS", "3600"));

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(5));
            Assert.That(options.SummarizeWithLlm, Is.True);
            Assert.That(options.UseEmbeddings, Is.True);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromHours(1)));
        });
    }

    [Test]
    public void Bind_FromTheDexterSessionsSection()
    {
        var options = Bind(
            ("Dexter:Sessions:MaxContextMessages", "7"),
            ("Dexter:Sessions:SummarizeWithLlm", "yes"),
            ("Dexter:Sessions:UseEmbeddings", "on"),
            ("Dexter:Sessions:SessionTtl", "02:30:00"),
            ("Dexter:Sessions:SummarizerTimeout", "00:00:05"),
            ("Dexter:Sessions:MaxQueryLength", "2000"),
            ("Dexter:Sessions:Instructions", "You are Dexter."));

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(7));
            Assert.That(options.SummarizeWithLlm, Is.True);
            Assert.That(options.UseEmbeddings, Is.True);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(150)));
            Assert.That(options.SummarizerTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.MaxQueryLength, Is.EqualTo(2000));
            Assert.That(options.Instructions, Is.EqualTo("You are Dexter."));
        });
    }

    [Test]
    public void Bind_SectionKeyAndEnvironmentVariable_SectionWins()
    {
        var options = Bind(
            ("Dexter:Sessions:MaxContextMessages", "3"),
            ("DEXTER_MAX_CONTEXT_MESSAGES", "20"),
            ("Dexter:Sessions:SummarizeWithLlm", "false"),
            ("DEXTER_SUMMARIZE_LLM", "true"),
            ("Dexter:Sessions:UseEmbeddings", "true"),
            ("DEXTER_USE_EMBEDDINGS", "false"),
            ("Dexter:Sessions:SessionTtl", "00:10:00"),
            ("DEXTER_SESSION_TTL_SECONDS", "60"));

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(3));
            Assert.That(options.SummarizeWithLlm, Is.False);
            Assert.That(options.UseEmbeddings, Is.True);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(10)));
        });
    }

    [Test]
    public void Bind_BlankSectionKey_FallsBackToTheEnvironmentVariable()
    {
        var options = Bind(("Dexter:Sessions:MaxContextMessages", "  "), ("DEXTER_MAX_CONTEXT_MESSAGES", "4"));

        Assert.That(options.MaxContextMessages, Is.EqualTo(4));
    }

    [Test]
    public void Bind_NothingSet_LeavesTheOptionsAsTheyWere()
    {
        var options = new DexterSessionsOptions { MaxContextMessages = 3, Instructions = "keep" };

        DexterSessionsOptionsBinder.Bind(options, _ => null);

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(3));
            Assert.That(options.Instructions, Is.EqualTo("keep"));
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromHours(24)));
        });
    }

    [TestCase("true")]
    [TestCase("True")]
    [TestCase("TRUE")]
    [TestCase("1")]
    [TestCase("yes")]
    [TestCase("Yes")]
    [TestCase("on")]
    [TestCase("ON")]
    [TestCase(" true ")]
    public void Bind_TrueSpellings_AreTrue(string value)
    {
        Assert.That(Bind(("DEXTER_SUMMARIZE_LLM", value)).SummarizeWithLlm, Is.True);
    }

    [TestCase("false")]
    [TestCase("False")]
    [TestCase("0")]
    [TestCase("no")]
    [TestCase("off")]
    [TestCase("OFF")]
    public void Bind_FalseSpellings_AreFalse(string value)
    {
        var options = new DexterSessionsOptions { UseEmbeddings = true };

        DexterSessionsOptionsBinder.Bind(options, key => key == "DEXTER_USE_EMBEDDINGS" ? value : null);

        Assert.That(options.UseEmbeddings, Is.False);
    }

    [TestCase("DEXTER_MAX_CONTEXT_MESSAGES", "ten", "a whole number")]
    [TestCase("DEXTER_MAX_CONTEXT_MESSAGES", "2.5", "a whole number")]
    [TestCase("Dexter:Sessions:MaxContextMessages", "99999999999", "a whole number")]
    [TestCase("DEXTER_SUMMARIZE_LLM", "maybe", "true or false")]
    [TestCase("Dexter:Sessions:UseEmbeddings", "2", "true or false")]
    [TestCase("DEXTER_SESSION_TTL_SECONDS", "1h", "a whole number")]
    [TestCase("Dexter:Sessions:SessionTtl", "a day", "a time span")]
    [TestCase("Dexter:Sessions:SummarizerTimeout", "10s", "a time span")]
    [TestCase("Dexter:Sessions:MaxQueryLength", "lots", "a whole number")]
    public void Bind_MalformedValue_ThrowsInvalidOperationExceptionNamingTheSettingAndValue(string key, string value, string expected)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Bind((key, value)));

        Assert.That(ex!.Message, Does.Contain(key).And.Contain("'" + value + "'").And.Contain(expected));
    }

    [Test]
    public void Bind_FromAnIConfiguration_ReadsSectionKeysAndEnvironmentNames()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dexter:Sessions:MaxContextMessages"] = "6",
            ["DEXTER_SUMMARIZE_LLM"] = "on",
        }).Build();
        var options = new DexterSessionsOptions();

        DexterSessionsOptionsBinder.Bind(options, configuration);

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(6));
            Assert.That(options.SummarizeWithLlm, Is.True);
        });
    }

    [Test]
    [NonParallelizable]
    public void Bind_WithoutConfiguration_ReadsTheProcessEnvironment()
    {
        using var _ = new EnvironmentVariableScope(("DEXTER_MAX_CONTEXT_MESSAGES", "9"), ("DEXTER_USE_EMBEDDINGS", "yes"), ("DEXTER_SESSION_TTL_SECONDS", "120"));
        var options = new DexterSessionsOptions();

        DexterSessionsOptionsBinder.Bind(options, (IConfiguration?)null);

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(9));
            Assert.That(options.UseEmbeddings, Is.True);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(2)));
        });
    }

    [Test]
    [NonParallelizable]
    public void Bind_WithoutConfiguration_ReadsSectionKeysInTheirEnvironmentForm_AndTheyWin()
    {
        using var _ = new EnvironmentVariableScope(
            ("Dexter__Sessions__MaxContextMessages", "6"),
            ("DEXTER_MAX_CONTEXT_MESSAGES", "9"),
            ("Dexter__Sessions__SessionTtl", "00:05:00"));
        var options = new DexterSessionsOptions();

        DexterSessionsOptionsBinder.Bind(options, (IConfiguration?)null);

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(6));
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(5)));
        });
    }

    [Test]
    [NonParallelizable]
    public void Bind_WithoutConfiguration_MalformedEnvironmentFormValue_NamesTheVariable()
    {
        using var _ = new EnvironmentVariableScope(("Dexter__Sessions__UseEmbeddings", "perhaps"));

        var ex = Assert.Throws<InvalidOperationException>(() => DexterSessionsOptionsBinder.Bind(new DexterSessionsOptions(), (IConfiguration?)null));

        Assert.That(ex!.Message, Does.Contain("Dexter__Sessions__UseEmbeddings").And.Contain("'perhaps'"));
    }

    [Test]
    public void Bind_NullArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => DexterSessionsOptionsBinder.Bind(null!, _ => null), Throws.ArgumentNullException);
            Assert.That(() => DexterSessionsOptionsBinder.Bind(new DexterSessionsOptions(), (Func<string, string?>)null!), Throws.ArgumentNullException);
        });
    }
}
