using System.Globalization;
using System.Text;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.Tests.Evaluation;

/// <summary>
/// The long-conversation evaluation: one session of 1,000 turns, each stating a fact ("Project Amber Falcon is owned by Rosa
/// Lindqvist."), recorded through the agent with a 4,000-token budget; then questions about turns of every age ("Who owns project
/// Amber Falcon?"). A question is answered when the owner's name is in the context the model gets (instructions, rolling summary,
/// selected turns). The figures are printed to the test output; benchmarks/results/long-conversations.md keeps them.
/// </summary>
public class LongConversationEvaluationTests
{
    private const int TurnCount = 1_000;
    private const int Budget = 4_000;
    private const int Seed = 20261125;

    private static readonly string[] Adjectives =
    [
        "Amber", "Silent", "Crimson", "Golden", "Hidden", "Iron", "Lunar", "Northern", "Rapid", "Scarlet", "Silver", "Solar", "Velvet",
        "Wild", "Azure", "Bright", "Copper", "Frozen", "Jade", "Marble", "Misty", "Noble", "Quiet", "Royal", "Stone",
    ];

    private static readonly string[] Animals =
    [
        "Falcon", "Otter", "Heron", "Lynx", "Badger", "Raven", "Marten", "Bison", "Ibis", "Puffin", "Cobra", "Gecko", "Walrus", "Condor",
        "Jackal", "Panda", "Tapir", "Viper", "Wombat", "Yak", "Quokka", "Narwhal", "Okapi", "Kestrel", "Dingo", "Ferret", "Gazelle",
        "Hyena", "Koala", "Lemur", "Moose", "Newt", "Oriole", "Pelican", "Robin", "Salmon", "Toucan", "Urchin", "Vulture", "Wren",
    ];

    private static readonly string[] FirstNames =
    [
        "Rosa", "Liam", "Aiko", "Marta", "Omar", "Ingrid", "Tariq", "Elena", "Kofi", "Priya", "Jonas", "Sofia", "Mateo", "Hana", "Yusuf",
        "Clara", "Nikolai", "Amara", "Diego", "Freya", "Ravi", "Leila", "Tomas", "Mei", "Anton", "Zara", "Felix", "Nadia", "Oskar", "Luz",
        "Emil", "Ines", "Kenji", "Olga", "Pablo", "Sanna", "Theo", "Vera", "Wei", "Ayla",
    ];

    private static readonly string[] LastNames =
    [
        "Lindqvist", "Okafor", "Tanaka", "Moreau", "Haddad", "Novak", "Fischer", "Rossi", "Mensah", "Iyer", "Berg", "Costa", "Kowalski",
        "Silva", "Nakamura", "Petrov", "Dubois", "Ahmed", "Larsen", "Romero", "Schmidt", "Yilmaz", "Virtanen", "Kim", "Walsh",
    ];

    private sealed record Fact(string Project, string Owner);

    private sealed record Config(string Name, Func<IMessageSelector> Selector, bool RollingSummary);

    private static IReadOnlyList<Fact> Facts()
    {
        var random = new Random(Seed);
        var projects = Adjectives.SelectMany(a => Animals.Select(n => a + " " + n)).OrderBy(_ => random.Next()).Take(TurnCount).ToList();
        var owners = FirstNames.SelectMany(f => LastNames.Select(l => f + " " + l)).OrderBy(_ => random.Next()).Take(TurnCount).ToList();
        return projects.Zip(owners, (project, owner) => new Fact(project, owner)).ToList();
    }

    private static string Statement(Fact fact) => $"Project {fact.Project} is owned by {fact.Owner}.";

    private static string Question(Fact fact) => $"Who owns project {fact.Project}?";

    private static async Task<(int MaxContextTokens, Dictionary<string, (int Hits, int Total)> Recall)> RunAsync(Config config, IReadOnlyList<Fact> facts)
    {
        using var store = new InMemorySessionStore();
        using var model = new FakeChatClient();
        var maxContext = 0;
        model.OnGetResponse = (messages, _, _) =>
        {
            maxContext = Math.Max(maxContext, ContextBudget.CountTokens(ContextBudget.DefaultTokenizer, messages.Take(messages.Count - 1)));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Noted, I will remember that.")));
        };
        var options = new DexterSessionsOptions
        {
            MaxContextTokens = Budget,
            MaxContextMessages = 10,
            RollingSummary = config.RollingSummary,
            Instructions = "Answer from the conversation so far.",
        };
        var pipeline = new SessionTurnPipeline(store, null, config.Selector(), Options.Create(options));
        var agent = new DexterAgent(model, pipeline);
        var sessionId = SessionId.New();
        foreach (var fact in facts)
        {
            await agent.RunAsync(Statement(fact), sessionId);
        }

        var recall = new Dictionary<string, (int Hits, int Total)>();
        for (var index = 4; index < facts.Count; index += 5)
        {
            var age = facts.Count - index; // 1 = the latest turn
            var bucket = age <= 10 ? "1–10" : age <= 100 ? "11–100" : age <= 300 ? "101–300" : "301–1,000";
            using var turn = await pipeline.BeginTurnAsync(sessionId, [new ChatMessage(ChatRole.User, Question(facts[index]))]);
            var context = string.Join('\n', turn.ContextMessages.Select(m => m.Text));
            maxContext = Math.Max(maxContext, ContextBudget.CountTokens(ContextBudget.DefaultTokenizer, turn.ContextMessages));
            var hit = context.Contains(facts[index].Owner, StringComparison.Ordinal);
            foreach (var key in new[] { bucket, "all" })
            {
                var (hits, total) = recall.GetValueOrDefault(key);
                recall[key] = (hits + (hit ? 1 : 0), total + 1);
            }
        }

        return (maxContext, recall);
    }

    private static IEnumerable<Config> Configs(HashingEmbeddingGenerator generator) =>
    [
        new("recency, no rolling summary", () => RecentMessageSelector.Instance, RollingSummary: false),
        new("recency + rolling summary (extractive)", () => RecentMessageSelector.Instance, RollingSummary: true),
        new("embeddings (200 candidates) + rolling summary", () => new EmbeddingMessageSelector(generator, Options.Create(new EmbeddingSelectorOptions { MaxCandidates = 200 })), RollingSummary: true),
        new("embeddings (1,000 candidates)", () => new EmbeddingMessageSelector(generator), RollingSummary: true),
    ];

    [Test]
    public async Task ThousandTurns_EveryConfiguration_StaysWithinTheBudgetAndTheRollingSummaryAddsRecall()
    {
        var facts = Facts();
        using var generator = new HashingEmbeddingGenerator();
        var unbounded = ContextBudget.DefaultTokenizer.CountTokens(TextContextFormat.Format(
            facts.Select((f, i) => new Message { Id = i + 1, Query = Statement(f), Answer = "Noted, I will remember that." }).ToList()));
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Unbounded context (every turn, one text block): {unbounded:N0} tokens, recall 100 % by construction.");
        report.AppendLine();
        report.AppendLine("| configuration | largest context (tokens) | recall, age 1–10 | 11–100 | 101–300 | 301–1,000 | all |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        var results = new Dictionary<string, double>();
        foreach (var config in Configs(generator))
        {
            var (maxContext, recall) = await RunAsync(config, facts);
            string Share(string key) => recall.TryGetValue(key, out var r) ? ((double)r.Hits / r.Total).ToString("P1", CultureInfo.InvariantCulture) : "–";
            report.AppendLine(CultureInfo.InvariantCulture, $"| {config.Name} | {maxContext:N0} | {Share("1–10")} | {Share("11–100")} | {Share("101–300")} | {Share("301–1,000")} | {Share("all")} |");
            results[config.Name] = (double)recall["all"].Hits / recall["all"].Total;
            Assert.That(maxContext, Is.LessThanOrEqualTo(Budget), config.Name);
        }

        TestContext.Out.WriteLine(report.ToString());
        Assert.That(results["recency + rolling summary (extractive)"], Is.GreaterThan(results["recency, no rolling summary"]));
    }
}
