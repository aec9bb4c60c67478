using Dexter.Sessions.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Configuration;

/// <summary>How <c>AddDexterSessions()</c> binds <see cref="DexterSessionsOptions"/> from the application's configuration.</summary>
public sealed class DexterSessionsOptionsBindingTests
{
    private static DexterSessionsOptions Bind(params (string Key, string Value)[] settings) =>
        SeedEnvironment.Options<DexterSessionsOptions>(
            new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build(),
            static services => services.AddDexterSessions());

    /// <summary>Binds from a configuration that opted in to the bare variable names, over a fake environment, plus section keys.</summary>
    private static DexterSessionsOptions BindOptedIn((string Name, string Value)[] environment, params (string Key, string Value)[] settings) =>
        SeedEnvironment.Options<DexterSessionsOptions>(SeedEnvironment.Build(environment, settings), static services => services.AddDexterSessions());

    [Test]
    public void Bind_OptedIn_ReadsTheOriginalEnvironmentVariableNames()
    {
        var options = BindOptedIn([
            ("DEXTER_MAX_CONTEXT_MESSAGES", "5"),
            ("DEXTER_SUMMARIZE_LLM", "true"),
            ("DEXTER_USE_EMBEDDINGS", "1"),
            ("DEXTER_SESSION_TTL_SECONDS", "3600"),
            ("DEXTER_MAX_CONTEXT_TOKENS", "2500"),
            ("DEXTER_ROLLING_SUMMARY", "off"),
            ("DEXTER_ROLLING_SUMMARY_MAX_TOKENS", "300"),
            ("DEXTER_RECORD_INTERRUPTED_TURNS", "off")]);

        Assert.Multiple(() =>
        {
            Assert.That(options.RollingSummary, Is.False);
            Assert.That(options.RecordInterruptedTurns, Is.False);
            Assert.That(options.RollingSummaryMaxTokens, Is.EqualTo(300));
            Assert.That(options.MaxContextMessages, Is.EqualTo(5));
            Assert.That(options.MaxContextTokens, Is.EqualTo(2500));
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
            ("Dexter:Sessions:Instructions", "You are Dexter."),
            ("Dexter:Sessions:MaxContextTokens", "1200"),
            ("Dexter:Sessions:ContextMode", "messages"),
            ("Dexter:Sessions:Selection", "recent"),
            ("Dexter:Sessions:ChatClientKey", "gpt"),
            ("Dexter:Sessions:RollingSummaryMaxTokens", "500"),
            ("Dexter:Sessions:BackgroundSummaries", "false"),
            ("Dexter:Sessions:SummaryQueueCapacity", "16"),
            ("Dexter:Sessions:EncryptAtRest", "true"));

        Assert.Multiple(() =>
        {
            Assert.That(options.RollingSummary, Is.True, "on by default");
            Assert.That(options.RecordInterruptedTurns, Is.True, "on by default");
            Assert.That(options.RollingSummaryMaxTokens, Is.EqualTo(500));
            Assert.That(options.BackgroundSummaries, Is.False);
            Assert.That(options.SummaryQueueCapacity, Is.EqualTo(16));
            Assert.That(options.MaxContextMessages, Is.EqualTo(7));
            Assert.That(options.SummarizeWithLlm, Is.True);
            Assert.That(options.UseEmbeddings, Is.True);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(150)));
            Assert.That(options.SummarizerTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.MaxQueryLength, Is.EqualTo(2000));
            Assert.That(options.Instructions, Is.EqualTo("You are Dexter."));
            Assert.That(options.MaxContextTokens, Is.EqualTo(1200));
            Assert.That(options.ContextMode, Is.EqualTo(SessionContextMode.Messages));
            Assert.That(options.Selection, Is.EqualTo(SessionSelection.Recent));
            Assert.That(options.ChatClientKey, Is.EqualTo("gpt"));
            Assert.That(options.EncryptAtRest, Is.True);
        });
    }

    [Test]
    public void Bind_SessionTtlSeconds_IsReadWhenSessionTtlIsNotSet()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Bind(("Dexter:Sessions:SessionTtlSeconds", "90")).SessionTtl, Is.EqualTo(TimeSpan.FromSeconds(90)));
            Assert.That(Bind(("Dexter:Sessions:SessionTtlSeconds", "90"), ("Dexter:Sessions:SessionTtl", "00:10:00")).SessionTtl,
                Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(Bind(("Dexter:Sessions:SessionTtlSeconds", "1h"), ("Dexter:Sessions:SessionTtl", "00:10:00")).SessionTtl,
                Is.EqualTo(TimeSpan.FromMinutes(10)), "not read at all when SessionTtl is set");
        });
    }

    [Test]
    public void Bind_OptedIn_SectionKeyWinsOverTheEnvironmentVariable()
    {
        var options = BindOptedIn(
            [("DEXTER_MAX_CONTEXT_MESSAGES", "20"), ("DEXTER_SUMMARIZE_LLM", "true"), ("DEXTER_USE_EMBEDDINGS", "false"), ("DEXTER_SESSION_TTL_SECONDS", "60")],
            ("Dexter:Sessions:MaxContextMessages", "3"),
            ("Dexter:Sessions:SummarizeWithLlm", "false"),
            ("Dexter:Sessions:UseEmbeddings", "true"),
            ("Dexter:Sessions:SessionTtl", "00:10:00"));

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(3));
            Assert.That(options.SummarizeWithLlm, Is.False);
            Assert.That(options.UseEmbeddings, Is.True);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromMinutes(10)));
        });
    }

    [Test]
    public void Bind_OptedIn_SectionKeyAddedBeforeTheOptIn_StillWins()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Dexter:Sessions:MaxContextMessages"] = "3" })
            .AddDexterSessionsEnvironmentVariables(new Dictionary<string, string?> { ["DEXTER_MAX_CONTEXT_MESSAGES"] = "20" })
            .Build();

        var options = SeedEnvironment.Options<DexterSessionsOptions>(configuration, static services => services.AddDexterSessions());

        Assert.That(options.MaxContextMessages, Is.EqualTo(3));
    }

    [Test]
    public void Bind_NotOptedIn_BareNamesInTheConfigurationMeanNothing()
    {
        var options = Bind(("DEXTER_MAX_CONTEXT_MESSAGES", "5"), ("DEXTER_SUMMARIZE_LLM", "perhaps"), ("DEXTER_SESSION_TTL_SECONDS", "-1"));

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(DexterSessionsOptions.DefaultMaxContextMessages));
            Assert.That(options.SummarizeWithLlm, Is.False);
            Assert.That(options.SessionTtl, Is.EqualTo(TimeSpan.FromHours(24)));
        });
    }

    [Test]
    public void Bind_BlankValue_CountsAsUnset()
    {
        var options = BindOptedIn(
            [("DEXTER_MAX_CONTEXT_MESSAGES", "  ")],
            ("Dexter:Sessions:MaxQueryLength", " "), ("Dexter:Sessions:Instructions", ""), ("Dexter:Sessions:ChatClientKey", "  "));

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(DexterSessionsOptions.DefaultMaxContextMessages));
            Assert.That(options.MaxQueryLength, Is.EqualTo(DexterSessionsOptions.DefaultMaxQueryLength));
            Assert.That(options.Instructions, Is.Null);
            Assert.That(options.ChatClientKey, Is.Null);
        });
    }

    [Test]
    public void Bind_Values_AreTrimmed()
    {
        var options = Bind(("Dexter:Sessions:Instructions", "  You are Dexter.  "), ("Dexter:Sessions:MaxContextMessages", " 4 "));

        Assert.Multiple(() =>
        {
            Assert.That(options.Instructions, Is.EqualTo("You are Dexter."));
            Assert.That(options.MaxContextMessages, Is.EqualTo(4));
        });
    }

    [Test]
    public void Bind_ConfigureDelegate_RunsAfterBinding()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Dexter:Sessions:MaxContextMessages"] = "5", ["Dexter:Sessions:Instructions"] = "bound" })
            .Build();

        var options = SeedEnvironment.Options<DexterSessionsOptions>(configuration, static services => services.AddDexterSessions(o => o.MaxContextMessages = 3));

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(3));
            Assert.That(options.Instructions, Is.EqualTo("bound"));
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
        Assert.That(Bind(("Dexter:Sessions:SummarizeWithLlm", value)).SummarizeWithLlm, Is.True);
    }

    [TestCase("false")]
    [TestCase("False")]
    [TestCase("0")]
    [TestCase("no")]
    [TestCase("off")]
    [TestCase("OFF")]
    public void Bind_FalseSpellings_AreFalse(string value)
    {
        Assert.That(Bind(("Dexter:Sessions:RollingSummary", value)).RollingSummary, Is.False, "on by default");
    }

    [TestCase("Text")]
    [TestCase("text")]
    [TestCase("Planning")] // the former name: settings and environment variables are wire names, and keep working
    [TestCase("planning")]
    public void Bind_ContextModeTextOrItsFormerName_IsTheTextMode(string value)
    {
        var options = Bind(("Dexter:Sessions:ContextMode", value));

        Assert.That(options.ContextMode, Is.EqualTo(SessionContextMode.Text));
    }

    [TestCase("Dexter:Sessions:MaxContextMessages", "ten", "a whole number")]
    [TestCase("Dexter:Sessions:MaxContextMessages", "2.5", "a whole number")]
    [TestCase("Dexter:Sessions:MaxContextMessages", "99999999999", "a whole number")]
    [TestCase("Dexter:Sessions:SummarizeWithLlm", "maybe", "true or false")]
    [TestCase("Dexter:Sessions:UseEmbeddings", "2", "true or false")]
    [TestCase("Dexter:Sessions:SessionTtlSeconds", "1h", "a whole number")]
    [TestCase("Dexter:Sessions:SessionTtl", "a day", "a time span")]
    [TestCase("Dexter:Sessions:SummarizerTimeout", "10s", "a time span")]
    [TestCase("Dexter:Sessions:MaxQueryLength", "lots", "a whole number")]
    [TestCase("Dexter:Sessions:ContextMode", "Chat", "Text, Planning or Messages")]
    [TestCase("Dexter:Sessions:Selection", "Smart", "Relevance, Recent or Embeddings")]
    public void Bind_MalformedValue_ThrowsInvalidOperationExceptionNamingTheSettingAndValue(string key, string value, string expected)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Bind((key, value)));

        Assert.That(ex!.Message, Does.Contain(key).And.Contain("'" + value + "'").And.Contain(expected));
    }

    [Test]
    public void Bind_MalformedValue_GivesTheWholeMessage()
    {
        Assert.That(() => Bind(("Dexter:Sessions:MaxQueryLength", "lots")), Throws.InvalidOperationException.With.Message.EqualTo(
            "The setting Dexter:Sessions:MaxQueryLength has the value 'lots', which is not a whole number. Correct or remove it."));
    }

    [TestCase("DEXTER_MAX_CONTEXT_MESSAGES", "ten", "Dexter:Sessions:MaxContextMessages")]
    [TestCase("DEXTER_SUMMARIZE_LLM", "maybe", "Dexter:Sessions:SummarizeWithLlm")]
    [TestCase("DEXTER_SESSION_TTL_SECONDS", "1h", "Dexter:Sessions:SessionTtlSeconds")]
    public void Bind_OptedIn_MalformedEnvironmentValue_NamesTheVariableAndItsKey(string name, string value, string key)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => BindOptedIn([(name, value)]));

        Assert.That(ex!.Message, Does.Contain(key + " (" + name + ")").And.Contain("'" + value + "'"));
    }

    [Test]
    [NonParallelizable]
    public void AddDexterSessions_NoConfigurationRegistered_BindsNothing_AndNeverReadsTheProcessEnvironment()
    {
        using var _ = new EnvironmentVariableScope(
            ("DEXTER_MAX_CONTEXT_MESSAGES", "9"), ("Dexter__Sessions__MaxContextMessages", "6"), ("DEXTER_USE_EMBEDDINGS", "perhaps"));
        using var provider = new ServiceCollection().AddDexterSessions().Services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxContextMessages, Is.EqualTo(DexterSessionsOptions.DefaultMaxContextMessages));
            Assert.That(options.UseEmbeddings, Is.False);
        });
    }
}
