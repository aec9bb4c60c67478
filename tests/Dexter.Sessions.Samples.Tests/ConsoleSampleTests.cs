using System.Text.RegularExpressions;
using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Samples.Tests;

[TestFixture]
public sealed partial class ConsoleSampleTests
{
    private const string Sample = "Dexter.Sessions.ConsoleSample";
    private static readonly Dictionary<string, string?> NoSettings = [];

    [Test]
    public async Task Run_EmbeddedDefaults_AnswersTheThreeQuestionsWithContextAndReportsThreeTurns()
    {
        var result = await SampleProcess.RunAsync(Sample, NoSettings);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Error);
            Assert.That(result.Output, Does.Contain("Store:   InMemorySessionStore"));
            Assert.That(result.Output, Does.Contain("Context: RelevanceMessageSelector" + Environment.NewLine), "no embeddings: no model named");
            Assert.That(result.Output, Does.Not.Contain("[4100]"), "the embedding model is not loaded while embeddings are off");
            Assert.That(result.Output, Does.Contain("Q: What is Bitcoin?"));
            Assert.That(result.Output, Does.Contain("Q: Why is it valuable?"));
            Assert.That(result.Output, Does.Contain("Q: How do miners earn rewards?"));
            Assert.That(result.Output, Does.Contain("A: Following up on your earlier question \"What is Bitcoin?\""), "the second answer saw the first turn");
            Assert.That(result.Output, Does.Contain("earlier questions \"What is Bitcoin?\", \"Why is it valuable?\""), "the third answer saw both turns");
            Assert.That(result.Output, Does.Contain("Total turns: 3"));
            Assert.That(TurnLine().Matches(result.Output).Select(m => m.Groups[1].Value), Is.EqualTo(new[] { "1", "2", "3" }));
            Assert.That(result.Output, Does.Contain("Turn 1: What is Bitcoin? → Bitcoin is a decentralized"), "truncating summary");
        });
    }

    [Test]
    public async Task Run_SummarizeWithLlm_PrintsTheModelsSummaries()
    {
        var result = await SampleProcess.RunAsync(Sample, new Dictionary<string, string?> { ["DEXTER_SUMMARIZE_LLM"] = "true" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Error);
            Assert.That(result.Output, Does.Contain("Turn 2: Asked \"Why is it valuable?\""));
        });
    }

    [Test]
    public async Task Run_QuestionsAndSessionGiven_UsesThem()
    {
        var result = await SampleProcess.RunAsync(Sample, NoSettings, "--session", "my-session_1", "--question", "What is a halving?");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Error);
            Assert.That(result.Output, Does.Contain("Session: my-session_1"));
            Assert.That(result.Output, Does.Contain("every 210,000 blocks").IgnoreCase);
            Assert.That(result.Output, Does.Contain("Total turns: 1"));
        });
    }

    [TestCase("DEXTER_MAX_CONTEXT_MESSAGES", "abc", "The setting Dexter:Sessions:MaxContextMessages (DEXTER_MAX_CONTEXT_MESSAGES) has the value 'abc', which is not a whole number.")]
    [TestCase("DEXTER_MAX_CONTEXT_MESSAGES", "0", "Dexter:Sessions:MaxContextMessages (DEXTER_MAX_CONTEXT_MESSAGES) must be at least 1; it is 0.")]
    [TestCase("DEXTER_SUMMARIZE_LLM", "maybe", "The setting Dexter:Sessions:SummarizeWithLlm (DEXTER_SUMMARIZE_LLM) has the value 'maybe', which is not true or false.")]
    public async Task Run_InvalidSetting_StopsBeforeAnyQuestionNamingTheSetting(string name, string value, string message)
    {
        var result = await SampleProcess.RunAsync(Sample, new Dictionary<string, string?> { [name] = value });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Error, Does.Contain(message));
            Assert.That(result.Output, Does.Not.Contain("Q: "));
        });
    }

    [Test]
    public async Task Run_InvalidSessionId_StopsWithTheRule()
    {
        var result = await SampleProcess.RunAsync(Sample, NoSettings, "--session", "bad id!");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Error, Does.Contain("is not a session id"));
        });
    }

    [TestCase("What is Bitcoin?", " ", "A --question is empty")]
    [TestCase("What is Bitcoin?", "x", "A --question has 8001 characters; at most 8000 are accepted")]
    public async Task Run_BadQuestion_StopsBeforeAnyQuestionWithTheRule(string first, string second, string message)
    {
        var result = await SampleProcess.RunAsync(Sample, NoSettings, "--question", first, "--question", second == "x" ? new string('x', 8001) : second);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Error, Does.Contain(message));
            Assert.That(result.Error, Does.Not.Contain("Unhandled exception"));
            Assert.That(result.Output, Does.Not.Contain("Q: "), "nothing is run, so nothing is recorded");
        });
    }

    /// <summary>
    /// Runs the sample twice on one session with <paramref name="settings"/>: the first run records turns 1-3 on <paramref name="store"/>,
    /// the second continues to 6, and its first answer saw the first run's questions.
    /// </summary>
    private static async Task AssertContinuesToSixTurnsAsync(Dictionary<string, string?> settings, string store)
    {
        var first = await SampleProcess.RunAsync(Sample, settings, "--session", "continued-session");
        var second = await SampleProcess.RunAsync(Sample, settings, "--session", "continued-session");

        Assert.Multiple(() =>
        {
            Assert.That(first.ExitCode, Is.Zero, first.Error);
            Assert.That(second.ExitCode, Is.Zero, second.Error);
            Assert.That(first.Output, Does.Contain("Store:   " + store));
            Assert.That(first.Output, Does.Contain("Total turns: 3"));
            Assert.That(second.Output, Does.Contain("Total turns: 6"));
            Assert.That(TurnLine().Matches(second.Output).Select(m => m.Groups[1].Value), Is.EqualTo(new[] { "1", "2", "3", "4", "5", "6" }));
            Assert.That(second.Output, Does.Contain("A: Following up on your earlier questions \"What is Bitcoin?\", \"Why is it valuable?\", \"How do miners earn rewards?\""),
                "the second run's first answer saw the first run's turns");
        });
    }

    [Test]
    public async Task Run_TwiceWithRedisAndTheSameSession_ContinuesTheStoredSessionToSixTurns()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["REDIS_URL"] = $"redis://{redis.Endpoint}/0" };

        await AssertContinuesToSixTurnsAsync(settings, "RedisSessionStore");
    }

    [Test]
    public async Task Run_TwiceWithSqliteAndTheSameSession_ContinuesTheStoredSessionToSixTurns()
    {
        var directory = Directory.CreateTempSubdirectory("dexter-sample-sqlite-");
        try
        {
            var settings = new Dictionary<string, string?> { ["DEXTER_SQLITE_PATH"] = Path.Combine(directory.FullName, "sessions.db") };

            await AssertContinuesToSixTurnsAsync(settings, "SqliteSessionStore");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Run_RedisNotRunning_StopsWithTheEndpointAndTheFix()
    {
        var port = RedisServer.FreePort();
        var result = await SampleProcess.RunAsync(Sample, new Dictionary<string, string?> { ["REDIS_URL"] = $"redis://127.0.0.1:{port}/0" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Error, Does.Contain($"127.0.0.1:{port}"));
            Assert.That(result.Error, Does.Contain("redis-server is running"));
            Assert.That(result.Output, Does.Not.Contain("Total turns"));
        });
    }

    [Test]
    public async Task Run_TwiceWithPostgreSqlAndTheSameSession_ContinuesTheStoredSessionToSixTurns()
    {
        await using var postgres = await PostgreSqlServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["DEXTER_POSTGRES_URL"] = postgres.Url };

        await AssertContinuesToSixTurnsAsync(settings, "PostgreSqlSessionStore");
    }

    [Test]
    public async Task Run_PostgreSqlNotRunning_StopsWithTheDatabaseAndTheFixWithoutThePassword()
    {
        var port = RedisServer.FreePort();
        var result = await SampleProcess.RunAsync(Sample, new Dictionary<string, string?> { ["DEXTER_POSTGRES_URL"] = $"postgres://app:hunter2@127.0.0.1:{port}/sessions" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Error, Does.Contain($"127.0.0.1:{port}/sessions"));
            Assert.That(result.Error, Does.Contain("PostgreSQL server is running"));
            Assert.That(result.Error + result.Output, Does.Not.Contain("hunter2"));
            Assert.That(result.Output, Does.Not.Contain("Total turns"));
        });
    }

    [Test]
    public async Task Run_MalformedPostgresUrl_StopsBeforeAnyQuestionNamingTheSetting()
    {
        var result = await SampleProcess.RunAsync(Sample, new Dictionary<string, string?> { ["DEXTER_POSTGRES_URL"] = "postgres://app:hunter2@db:port/x" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2));
            Assert.That(result.Error, Does.Contain("Dexter:Sessions:PostgreSql:ConnectionString (DEXTER_POSTGRES_URL)"));
            Assert.That(result.Error, Does.Not.Contain("hunter2"));
            Assert.That(result.Output, Does.Not.Contain("Q: "));
        });
    }

    [Test]
    public async Task Run_UseEmbeddings_LoadsAllMiniLML6V2BeforeTheQuestionsAndAnswersThem()
    {
        var result = await SampleProcess.RunAsync(Sample, new Dictionary<string, string?> { ["DEXTER_USE_EMBEDDINGS"] = "true" });

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Error);
            Assert.That(result.Output, Does.Contain("Context: RelevanceMessageSelector (all-MiniLM-L6-v2 embeddings)"));
            Assert.That(ModelLoaded().Matches(result.Output), Has.Count.EqualTo(1), "the bundled model is loaded once, and its load logged (event 4100)");
            Assert.That(result.Output.IndexOf("[4100]", StringComparison.Ordinal), Is.LessThan(result.Output.IndexOf("Q: ", StringComparison.Ordinal)),
                "the model is loaded before the first question, not in the middle of an answer");
            Assert.That(result.Output, Does.Not.Contain("warn:").And.Not.Contain("fail:"), "no embedding call fell back");
            Assert.That(result.Output, Does.Contain("A: Following up on your earlier question \"What is Bitcoin?\""));
            Assert.That(result.Output, Does.Contain("Total turns: 3"));
        });
    }

    // "Who gets paid for securing the network?" shares no word with "How do miners earn rewards?", and the wallet turn is the
    // latest: with one context turn, only a model of meaning gives it the miners' turn (words, recency or a lexical embedding
    // give it the wallet's). Once with the default relevance ranking, once with the embedding selector (0.7 · cosine + 0.3 · recency).
    [TestCase("Dexter__Sessions__Relevance__MaxTurns=1;Dexter__Sessions__Relevance__AlwaysIncludeLatest=0", "RelevanceMessageSelector")]
    [TestCase("Dexter__Sessions__Selection=Embeddings;DEXTER_MAX_CONTEXT_MESSAGES=1", "EmbeddingMessageSelector")]
    public async Task Run_UseEmbeddingsWithOneContextTurn_GivesAParaphrasedQuestionTheTurnItMeans(string settings, string selector)
    {
        string[] arguments = ["--question", "How do miners earn rewards?", "--question", "What is a wallet?", "--question", "Who gets paid for securing the network?"];
        var withoutEmbeddings = settings.Split(';').Select(s => s.Split('=')).ToDictionary(s => s[0], s => (string?)s[1]);
        var withEmbeddings = new Dictionary<string, string?>(withoutEmbeddings) { ["DEXTER_USE_EMBEDDINGS"] = "true" };

        var embeddings = await SampleProcess.RunAsync(Sample, withEmbeddings, arguments);
        var control = await SampleProcess.RunAsync(Sample, withoutEmbeddings, arguments);

        Assert.Multiple(() =>
        {
            Assert.That(embeddings.ExitCode, Is.Zero, embeddings.Error);
            Assert.That(embeddings.Output, Does.Contain($"Context: {selector} (all-MiniLM-L6-v2 embeddings)"));
            Assert.That(AnswerTo("Who gets paid for securing the network?", embeddings.Output),
                Does.StartWith("A: Following up on your earlier question \"How do miners earn rewards?\": Miners earn"));
            Assert.That(embeddings.Output, Does.Not.Contain("warn:").And.Not.Contain("fail:"), "no embedding call fell back");
            Assert.That(control.ExitCode, Is.Zero, control.Error);
            Assert.That(AnswerTo("Who gets paid for securing the network?", control.Output),
                Does.StartWith("A: Following up on your earlier question \"What is a wallet?\""), "the same selection without all-MiniLM-L6-v2");
        });
    }

    /// <summary>The "A: ..." line printed after the question.</summary>
    private static string AnswerTo(string question, string output)
    {
        var lines = output.Split('\n');
        var index = Array.FindIndex(lines, line => line.TrimEnd() == "Q: " + question);
        return index >= 0 && index + 1 < lines.Length ? lines[index + 1].TrimEnd() : $"(no answer to \"{question}\" in: {output})";
    }

    [GeneratedRegex(@"MiniLMEmbeddingGenerator\[4100\] Loaded the embedding model all-MiniLM-L6-v2 from SentenceTransformers\.MiniLM [\d.]+ in \d+ ms: 384 dimensions")]
    private static partial Regex ModelLoaded();

    [GeneratedRegex(@"^Turn (\d+): ", RegexOptions.Multiline)]
    private static partial Regex TurnLine();
}
