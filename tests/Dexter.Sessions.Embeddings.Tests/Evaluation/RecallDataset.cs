namespace Dexter.Sessions.Embeddings.Tests.Evaluation;

/// <summary>One generated conversation: its turns, a follow-up query, and the 0-based index of the turn the follow-up refers to.</summary>
internal sealed record RecallCase(IReadOnlyList<Message> Turns, string FollowUp, int ReferredIndex);

/// <summary>
/// Generates conversations of 20–50 turns on mixed topics, deterministically from a seed. Each conversation ends with a
/// follow-up that refers back to one earlier turn by its subject, phrased differently (for example "flight to Lisbon" is
/// referred to as "the Lisbon flight"); that subject appears in no other turn, while other subjects of the same topic do.
/// Turns are summarized as the agent does by default (<see cref="TruncatingSummarizer"/>).
/// </summary>
internal static class RecallDataset
{
    private static readonly Topic[] Topics =
    [
        new("travel",
            [("flight to Lisbon", "Lisbon flight"), ("hotel in Kyoto", "Kyoto hotel"), ("rail pass for Switzerland", "Swiss rail pass"),
             ("car rental in Iceland", "Iceland rental car"), ("visa for Brazil", "Brazilian visa"), ("ferry to Santorini", "Santorini ferry")],
            ["How early should I book the {0}?", "Can you compare prices for the {0} in March?", "What should I know about the {0}?"],
            ["For the {0}, book six to eight weeks ahead and compare weekday prices; refundable fares cost a little more.",
             "The {0} is cheapest outside school holidays; check the baggage and cancellation rules before paying."]),
        new("cooking",
            [("sourdough starter", "starter for sourdough"), ("vegetarian lasagna", "lasagna without meat"), ("beef bourguignon", "bourguignon stew"),
             ("lemon tart", "tart with lemon"), ("chicken curry", "curry with chicken"), ("miso soup", "soup made with miso")],
            ["How do I make a good {0}?", "What goes wrong most often with a {0}?", "Can you give me a recipe for {0}?"],
            ["A {0} needs patience: prepare the base the day before, season carefully and taste before serving.",
             "Most problems with {0} come from heat that is too high; cook slowly and adjust salt at the end."]),
        new("programming",
            [("PostgreSQL index on the orders table", "orders table index"), ("Redis connection string", "connection string for Redis"),
             ("Kubernetes liveness probe", "liveness probe in Kubernetes"), ("Python virtual environment", "virtualenv for Python"),
             ("React useEffect cleanup", "cleanup in useEffect"), ("Git rebase conflict", "conflict during the rebase")],
            ["Why is my {0} not working?", "What is the right way to set up the {0}?", "Can you explain the {0} error I get?"],
            ["Check the configuration of the {0} first; most failures come from a missing setting or a wrong port.",
             "The {0} usually fails because of permissions; read the logs and retry with verbose output."]),
        new("fitness",
            [("marathon training plan", "plan for the marathon"), ("knee pain after squats", "squats hurting my knee"),
             ("protein intake for muscle gain", "how much protein"), ("yoga for lower back", "back-friendly yoga"),
             ("swimming technique for freestyle", "freestyle stroke"), ("cycling cadence", "cadence on the bike")],
            ["Can you help me with my {0}?", "What do experts recommend about {0}?", "Is there a simple routine for {0}?"],
            ["Progress gradually with {0}: increase load by about ten percent a week and rest when something hurts.",
             "For {0}, consistency matters more than intensity; track sessions and sleep well."]),
        new("finance",
            [("index fund allocation", "allocation across index funds"), ("mortgage refinancing", "refinance of the mortgage"),
             ("emergency savings fund", "savings for emergencies"), ("tax deduction for home office", "home office deduction"),
             ("retirement account rollover", "rollover of the retirement account"), ("credit card debt payoff", "paying off the card debt")],
            ["What should I consider about {0}?", "Is now a good time for {0}?", "How do people usually handle {0}?"],
            ["With {0}, compare fees and timelines first; keep records of every statement for the tax year.",
             "Plan {0} around your monthly budget and interest rates; a fee-only adviser can check the numbers."]),
        new("gardening",
            [("tomato blight", "blight on the tomatoes"), ("rose pruning", "pruning the roses"), ("lawn aeration", "aerating the lawn"),
             ("composting kitchen scraps", "compost from scraps"), ("orchid repotting", "repotting the orchid"), ("apple tree grafting", "grafting the apple tree")],
            ["When is the best season for {0}?", "What tools do I need for {0}?", "Why did my {0} fail last year?"],
            ["Do {0} in early spring on a dry day, with clean tools, and water well afterwards.",
             "Failures with {0} usually come from poor drainage; improve the soil and try again next season."]),
        new("music",
            [("guitar barre chords", "barre chords on guitar"), ("piano sight reading", "sight reading at the piano"),
             ("home studio microphone", "microphone for the home studio"), ("violin bow hold", "holding the violin bow"),
             ("drum metronome practice", "practising drums with a metronome"), ("singing breath support", "breath support when singing")],
            ["How can I improve my {0}?", "What equipment helps with {0}?", "How long does it take to get good at {0}?"],
            ["Practise {0} for fifteen minutes a day, slowly, recording yourself to hear what to fix.",
             "With {0}, start with simple exercises and raise the tempo only when it feels relaxed."]),
        new("home",
            [("leaking kitchen faucet", "faucet leak in the kitchen"), ("noisy dishwasher", "dishwasher noise"),
             ("mold in the bathroom", "bathroom mold"), ("drafty windows", "draft from the windows"),
             ("tripped circuit breaker", "breaker that keeps tripping"), ("squeaky floorboards", "floorboards squeaking")],
            ["How do I fix the {0}?", "Should I call a professional about the {0}?", "What causes a {0}?"],
            ["A {0} is often fixed with a cheap part from the hardware store; switch off water or power first.",
             "If the {0} comes back after a repair, call a licensed professional to inspect it."]),
    ];

    private static readonly string[] FollowUps =
    [
        "Going back to the {0} we talked about earlier, what else should I watch out for?",
        "About the {0} from before: can you summarize what you recommended?",
        "Remind me what you said regarding the {0}.",
        "One more question on the {0}: is there a cheaper way?",
    ];

    /// <summary>Generates <paramref name="count"/> conversations from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<RecallCase> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var subjects = Topics.SelectMany(topic => topic.Subjects.Select(subject => (Topic: topic, Subject: subject))).ToArray();
        var cases = new List<RecallCase>(count);
        for (var c = 0; c < count; c++)
        {
            var length = random.Next(20, 51);
            var referredIndex = random.Next(length);
            var referred = subjects[random.Next(subjects.Length)];
            var turns = new List<Message>(length);
            for (var i = 0; i < length; i++)
            {
                var (topic, subject) = i == referredIndex ? referred : PickOther(random, subjects, referred.Subject);
                var query = string.Format(System.Globalization.CultureInfo.InvariantCulture, topic.Queries[random.Next(topic.Queries.Length)], subject.Name);
                var answer = string.Format(System.Globalization.CultureInfo.InvariantCulture, topic.Answers[random.Next(topic.Answers.Length)], subject.Name);
                turns.Add(new Message
                {
                    Id = i + 1,
                    Query = query,
                    Answer = answer,
                    Summary = TruncatingSummarizer.Summarize(query, answer),
                    CreatedAt = DateTimeOffset.UnixEpoch.AddMinutes(i),
                });
            }

            var followUp = string.Format(System.Globalization.CultureInfo.InvariantCulture, FollowUps[random.Next(FollowUps.Length)], referred.Subject.Reference);
            cases.Add(new RecallCase(turns, followUp, referredIndex));
        }

        return cases;
    }

    private static (Topic Topic, (string Name, string Reference) Subject) PickOther(
        Random random, (Topic Topic, (string Name, string Reference) Subject)[] subjects, (string Name, string Reference) excluded)
    {
        while (true)
        {
            var pick = subjects[random.Next(subjects.Length)];
            if (pick.Subject != excluded)
            {
                return pick;
            }
        }
    }

    private sealed record Topic(string Name, (string Name, string Reference)[] Subjects, string[] Queries, string[] Answers);
}
