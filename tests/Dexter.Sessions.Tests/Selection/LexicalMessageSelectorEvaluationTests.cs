namespace Dexter.Sessions.Tests.Selection;

/// <summary>
/// Measures how often the selection holds the turn that answers a question, over a generated 300-turn conversation where 30
/// turns each state one fact among chit-chat, against the latest turns alone.
/// </summary>
public sealed class LexicalMessageSelectorEvaluationTests
{
    private const int TurnCount = 300;
    private const int MaxMessages = 10;

    private static readonly string[] Names = ["Alice", "Bertrand", "Chiara", "Dmitri", "Esperanza", "Farouk", "Greta", "Hiroshi", "Ingrid", "Joaquim"];
    private static readonly string[] Relations = ["sister", "brother", "cousin", "aunt", "uncle"];
    private static readonly string[] Cities = ["Lisbon", "Oslo", "Krakow", "Nairobi", "Montreal", "Osaka", "Valparaiso", "Tbilisi", "Dublin", "Hanoi"];
    private static readonly string[] Jobs = ["nurse", "architect", "baker", "pilot", "librarian"];
    private static readonly string[] Brands = ["Toyota", "Volvo", "Peugeot", "Subaru", "Skoda", "Fiat", "Mazda", "Renault", "Hyundai", "Lancia"];
    private static readonly string[] Colours = ["blue", "red", "green", "silver", "black"];
    private static readonly string[] Pets = ["dog", "cat", "parrot", "rabbit", "tortoise"];
    private static readonly string[] PetNames = ["Biscuit", "Pumpkin", "Nimbus", "Waffles", "Ziggy", "Marmalade", "Pickles", "Sprocket", "Truffle", "Quincy"];
    private static readonly string[] Foods = ["carrots", "sardines", "apples", "peanuts", "cheese"];

    private static readonly string[] FillerQueries =
    [
        "How is the weather looking today?",
        "Can you suggest a good film for tonight?",
        "Tell me a joke about programmers.",
        "What should I cook for dinner this week?",
        "Any tips for sleeping better?",
        "I feel a bit tired, any advice?",
        "What is a good way to start the morning?",
        "Recommend a podcast for my commute.",
        "How do I stay focused while working from home?",
        "Give me a quick stretching routine.",
        "Where do people usually go on holiday in summer?",
        "What year was the first moon landing?",
    ];

    private static readonly string[] FillerAnswers =
    [
        "Sure, here is a suggestion you might like.",
        "Good question; a short walk and some water often help.",
        "Here is an idea: keep it simple and enjoy it.",
        "Many people like that; try it and see how it feels.",
        "That depends a little, but the usual advice is to plan ahead.",
    ];

    [Test]
    public async Task SelectAsync_GeneratedConversationWithThirtyFacts_LexicalFindsTheEvidenceFarMoreOftenThanRecency()
    {
        var random = new Random(20261201);
        var facts = new List<(string Statement, string Question)>();
        for (var i = 0; i < 10; i++)
        {
            var relation = Relations[random.Next(Relations.Length)];
            facts.Add(($"My {relation} {Names[i]} lives in {Cities[i]} and works as a {Jobs[random.Next(Jobs.Length)]}.", $"Where does {Names[i]} live these days?"));
            var year = 2005 + random.Next(18);
            facts.Add(($"I bought a {Colours[random.Next(Colours.Length)]} {Brands[i]} in {year} from a local dealer.", $"Which year did I buy the {Brands[i]}?"));
            var pet = Pets[random.Next(Pets.Length)];
            facts.Add(($"Our {pet} {PetNames[i]} loves {Foods[random.Next(Foods.Length)]} every morning.", $"What food does {PetNames[i]} like best?"));
        }

        // The facts go to distinct random places among the turns, never in the last ten, the rest is chit-chat.
        var positions = Enumerable.Range(0, TurnCount - MaxMessages).OrderBy(_ => random.Next()).Take(facts.Count).ToArray();
        var turns = new Message[TurnCount];
        for (var i = 0; i < TurnCount; i++)
        {
            turns[i] = new Message
            {
                Id = i + 1,
                Query = FillerQueries[random.Next(FillerQueries.Length)],
                Answer = FillerAnswers[random.Next(FillerAnswers.Length)],
            };
        }

        for (var f = 0; f < facts.Count; f++)
        {
            turns[positions[f]] = turns[positions[f]] with { Query = facts[f].Statement, Answer = "Thanks, I will remember that." };
        }

        var lexical = new LexicalMessageSelector();
        var lexicalHits = 0;
        var recentHits = 0;
        for (var f = 0; f < facts.Count; f++)
        {
            var evidenceId = positions[f] + 1;
            var context = new MessageSelectionContext(facts[f].Question, turns, MaxMessages);
            lexicalHits += (await lexical.SelectAsync(context)).Turns.Any(t => t.Id == evidenceId) ? 1 : 0;
            recentHits += (await RecentMessageSelector.Instance.SelectAsync(context)).Turns.Any(t => t.Id == evidenceId) ? 1 : 0;
        }

        var lexicalRate = (double)lexicalHits / facts.Count;
        var recentRate = (double)recentHits / facts.Count;
        await TestContext.Out.WriteLineAsync($"Evidence turn selected (MaxMessages = {MaxMessages}, {TurnCount} turns, {facts.Count} questions): lexical {lexicalRate:P0} ({lexicalHits}/{facts.Count}), recent {recentRate:P0} ({recentHits}/{facts.Count}).");
        Assert.Multiple(() =>
        {
            Assert.That(lexicalRate, Is.GreaterThanOrEqualTo(0.8));
            Assert.That(recentRate, Is.LessThanOrEqualTo(0.2));
        });
    }
}
