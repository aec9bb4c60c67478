using System.Text.RegularExpressions;
using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Samples.Tests;

[TestFixture]
public sealed partial class AgentFrameworkSampleTests
{
    private const string Sample = "Dexter.Sessions.AgentFrameworkSample";
    private static readonly Dictionary<string, string?> NoSettings = [];

    [Test]
    public async Task Run_EmbeddedDefaults_AnswersTheThreeQuestionsCallsTheToolAndReportsThreeTurns()
    {
        var result = await SampleProcess.RunAsync(Sample, NoSettings);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Error);
            Assert.That(result.Output, Does.Contain("Store:   InMemorySessionStore"));
            Assert.That(result.Output, Does.Contain("Q: What is Bitcoin?\nA: Bitcoin is a decentralized digital currency"));
            Assert.That(result.Output, Does.Contain("Q: Why is it valuable?\n   tool call: get_price(symbol: BTC)\n   tool result: BTC trades at 64,000 USD"));
            Assert.That(result.Output, Does.Contain("A: Following up on your earlier question \"What is Bitcoin?\""), "the second answer saw the first turn");
            Assert.That(result.Output, Does.Contain("The price tool says: BTC trades at 64,000 USD"));
            Assert.That(result.Output, Does.Contain("earlier questions \"What is Bitcoin?\", \"Why is it valuable?\""), "the third answer saw both turns");
            Assert.That(result.Output, Does.Contain("Total turns: 3"));
            Assert.That(TurnLine().Matches(result.Output).Select(m => m.Groups[1].Value), Is.EqualTo(new[] { "1", "2", "3" }));
            Assert.That(result.Output, Does.Contain("Turn 1: What is Bitcoin? → Bitcoin is a decentralized"), "truncating summary");
            Assert.That(result.Output, Does.Match(@"Turn 2: Why is it valuable\? → .* \[tools: get_price\]"), "the tool call is kept with the turn");
        });
    }

    [Test]
    public async Task Run_TwiceWithRedisAndASessionFile_ResumesTheAgentSessionToSixTurns()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["REDIS_URL"] = $"redis://{redis.Endpoint}/0" };
        var sessionFile = Path.Combine(redis.Directory, "agent-session.json");

        var first = await SampleProcess.RunAsync(Sample, settings, "--session-file", sessionFile);
        var second = await SampleProcess.RunAsync(Sample, settings, "--session-file", sessionFile, "--question", "What is a halving?");

        var sessionId = SessionIdLine().Match(first.Output).Groups[1].Value;
        Assert.Multiple(() =>
        {
            Assert.That(first.ExitCode, Is.Zero, first.Error);
            Assert.That(second.ExitCode, Is.Zero, second.Error);
            Assert.That(first.Output, Does.Contain("Store:   RedisSessionStore"));
            Assert.That(first.Output, Does.Contain("Total turns: 3"));
            Assert.That(second.Output, Does.Contain($"Session: {sessionId} (resumed from {sessionFile})"));
            Assert.That(second.Output, Does.Contain("every 210,000 blocks").IgnoreCase);
            Assert.That(second.Output, Does.Contain("Total turns: 4"));
            Assert.That(TurnLine().Matches(second.Output).Select(m => m.Groups[1].Value), Is.EqualTo(new[] { "1", "2", "3", "4" }));
        });
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
            Assert.That(result.Output, Does.Not.Contain("Total turns"));
        });
    }

    [GeneratedRegex(@"^Turn (\d+): ", RegexOptions.Multiline)]
    private static partial Regex TurnLine();

    [GeneratedRegex(@"^Dexter\.Sessions session: (\S+)", RegexOptions.Multiline)]
    private static partial Regex SessionIdLine();
}
