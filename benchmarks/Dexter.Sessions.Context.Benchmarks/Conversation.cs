using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Context.Benchmarks;

/// <summary>
/// A long, made-up conversation between a user and an assistant, the same for a given seed: facts to remember (projects and
/// their owners, servers, trips, appointments, invoices, people's habits), questions about them, how-to questions and chit-chat.
/// Each turn has 40 to 120 words, question and answer together, and is shaped as the pipeline records it (summary, chat
/// messages, token count).
/// </summary>
internal static class Conversation
{
    public const int Seed = 20_261_202;

    /// <summary>The questions the benchmarks ask in turn: about facts the conversation holds, and a few it does not.</summary>
    public static readonly string[] Questions =
    [
        "Who owns project Amber Falcon?",
        "When is the deadline for Silver Heron?",
        "Which port does the staging database of Copper Lynx use?",
        "What did we book for the trip to Lisbon?",
        "When is my dentist appointment?",
        "How much was the invoice from Nordlicht Print?",
        "Is Tomás allergic to anything?",
        "What's the wifi password at the cabin?",
        "How do I make the lentil soup again?",
        "Can you recommend a book for the weekend?",
        "What was the budget we agreed for Quiet Otter?",
        "Remind me what Aiko prefers for meetings.",
        "Which flight do I take to Kyoto?",
        "What's the difference between a mutex and a semaphore?",
        "Did we decide anything about the database migration?",
        "How long should the banana bread bake?",
        "Who is on call for Northern Wren this week?",
        "What time does the physiotherapy session start?",
        "Thanks for the help today, anything else I should remember?",
        "What's the weather like for running tomorrow morning?",
    ];

    private static readonly string[] Projects =
    [
        "Amber Falcon", "Silver Heron", "Copper Lynx", "Quiet Otter", "Northern Wren", "Cobalt Badger", "Crimson Ibis", "Golden Marten",
        "Hidden Pike", "Ivory Crane", "Jade Tortoise", "Lunar Moth", "Misty Elk", "Oak Sparrow", "Pale Orca", "Rapid Gecko",
        "Scarlet Kestrel", "Tidal Seal", "Velvet Mole", "Winter Hare", "Azure Bison", "Brisk Magpie", "Cedar Fox", "Dune Viper",
        "Ember Stork", "Frost Walrus", "Granite Owl", "Harbor Finch", "Iron Salmon", "Maple Lemur",
    ];

    private static readonly string[] People =
    [
        "Rosa Lindqvist", "Tomás Ferreira", "Aiko Tanaka", "Kwame Mensah", "Ingrid Solberg", "Priya Raman", "Lukas Brandt", "Chloé Martin",
        "Mateo Alvarez", "Siobhán Kelly", "Dmitri Volkov", "Fatima Zahra", "Jonas Berg", "Mei Lin", "Oluwaseun Adeyemi", "Hannah Weiss",
        "Rafael Costa", "Yuki Sato", "Amara Okafor", "Elif Yılmaz", "Noah Fischer", "Leila Haddad", "Björn Nilsson", "Camila Rojas",
    ];

    private static readonly string[] Cities =
    [
        "Lisbon", "Kyoto", "Oslo", "Montréal", "Nairobi", "Zürich", "Valparaíso", "Hanoi", "Edinburgh", "Tbilisi", "Porto", "Seville",
        "Kraków", "Reykjavík", "Marrakesh", "Vancouver", "Ljubljana", "Tallinn",
    ];

    private static readonly string[] Vendors =
    [
        "Nordlicht Print", "Harbor Logistics", "Greenleaf Catering", "Bytewise Hosting", "Atlas Office Supply", "Blue River Legal",
        "Sunrise Cleaning", "Kestrel Design Studio", "Polar Freight", "Meridian Insurance",
    ];

    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static readonly string[] Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    private static readonly string[] Appointments =
        ["dentist", "physiotherapy", "eye doctor", "dermatologist", "vet", "haircut", "car service", "tax advisor"];

    private static readonly string[] Allergies = ["peanuts", "shellfish", "gluten", "penicillin", "cats", "pollen", "sesame", "lactose"];

    private static readonly string[] Preferences =
    [
        "short meetings in the morning", "written agendas a day ahead", "calls instead of long email threads", "no meetings on Fridays",
        "video off during stand-ups", "decisions written down in the wiki", "tea rather than coffee", "a quiet desk near the window",
    ];

    private static readonly string[] Places = ["cabin", "office", "studio", "beach house", "parents' flat", "co-working space"];

    private static readonly (string Dish, string Steps)[] Recipes =
    [
        ("lentil soup", "Soften an onion, two carrots and a stick of celery in olive oil, add a spoon of cumin, 250 g of red lentils and a litre of stock, simmer for 25 minutes, then blend half and finish with lemon juice."),
        ("banana bread", "Mash three ripe bananas, mix in 75 g of melted butter, 150 g of sugar, an egg, a teaspoon of baking soda and 190 g of flour, and bake at 175 °C for about 55 minutes, until a skewer comes out clean."),
        ("shakshuka", "Fry onion, pepper and garlic, add paprika, cumin and a tin of tomatoes, simmer until thick, make four wells, crack in the eggs and cover for six to eight minutes."),
        ("mushroom risotto", "Toast 300 g of arborio rice in butter with shallots, add a glass of white wine, then hot stock a ladle at a time for 18 minutes, fold in fried mushrooms and parmesan."),
        ("pad thai", "Soak rice noodles, stir-fry garlic, tofu and egg, add the noodles with tamarind, fish sauce and palm sugar, then bean sprouts, spring onions and crushed peanuts."),
        ("chickpea curry", "Cook onion, ginger and garlic, add garam masala and turmeric, two tins of chickpeas, a tin of coconut milk and spinach, and simmer for fifteen minutes."),
        ("overnight oats", "Mix 50 g of oats with 150 ml of milk and a spoon of yoghurt, add chia seeds and honey, leave in the fridge overnight and top with berries."),
    ];

    private static readonly (string Question, string Answer)[] HowTo =
    [
        ("What's the difference between a mutex and a semaphore?", "A mutex gives one thread at a time ownership of a resource and must be released by the thread that took it. A semaphore counts permits, so several threads can enter at once, up to its count, and any thread may release a permit."),
        ("How do I undo my last git commit but keep the changes?", "Run git reset --soft HEAD~1: the commit goes, and its changes stay staged. Use --mixed to keep them unstaged instead, and never reset a commit you have already pushed to a shared branch."),
        ("Why does my sourdough come out so dense?", "Usually the starter was not at its peak or the dough was under-proofed. Feed the starter so it doubles in four to six hours, and let the bulk ferment until the dough has grown by about half and shows bubbles at the sides."),
        ("How should I plan the database migration?", "Take a backup, run the migration against a copy of production first, make every step reversible, and schedule the switch for a quiet hour with a rollback plan written down before you start."),
        ("What is a good way to start running again?", "Start with run-walk intervals three times a week, one minute running and two walking, and add a minute of running each week. Keep the pace easy enough that you can talk."),
        ("How do compound interest and simple interest differ?", "Simple interest is paid on the original amount only. Compound interest is paid on the amount plus the interest already earned, so the balance grows faster the longer it stays invested."),
        ("Can you explain what an index does in a database?", "An index is a sorted structure beside the table, so a query that filters on the indexed columns finds its rows without reading the whole table. It costs space and slows writes a little."),
        ("How do I keep basil alive on the windowsill?", "Give it six hours of sun, water when the top of the soil is dry, pinch off the flower buds, and harvest from the top so it grows bushy instead of tall."),
    ];

    private static readonly string[] ChitChatQueries =
    [
        "Good morning! How are you today?", "It's raining again here, what a week.", "I finally finished that series everyone talks about.",
        "Any ideas for a relaxed Sunday?", "I'm a bit tired today, long night.", "Can you recommend a book for the weekend?",
        "The weather is lovely today, I might go for a run.", "I tried the new café around the corner this morning.",
        "What should I cook tonight? Something quick.", "Tell me something interesting about octopuses.",
        "I'm thinking about learning the piano at my age.", "My team shipped the release yesterday, we're all relieved.",
    ];

    private static readonly string[] ChitChatAnswers =
    [
        "That sounds like a good plan, and a bit of fresh air usually helps more than another coffee.",
        "I'm glad to hear it went well; shipping something after weeks of work is a good feeling.",
        "If you want something calm, a long walk and a slow breakfast are hard to beat.",
        "For the weekend, The Remains of the Day is short, quiet and beautifully written, or try Piranesi if you like puzzles.",
        "Octopuses have three hearts, blue blood, and most of their neurons are in their arms rather than their head.",
        "It's never too late for the piano; twenty minutes a day for a few months takes most adults through their first easy pieces.",
        "Rainy weeks are good for the indoor projects that keep getting postponed, like sorting photos or cooking something slow.",
        "A quick idea for tonight: pasta with lemon, garlic, spinach and a handful of parmesan, ready in fifteen minutes.",
        "Tomorrow morning looks dry and cool, around eleven degrees at seven, which is nice running weather.",
        "Take it easy today if you can; a short nap or an early night does more than you would think.",
        "New cafés are always worth a try, and if their pastries are good it might become a habit.",
        "Finishing a series leaves a small gap; a documentary or a short novel can be a nice change.",
    ];

    private static readonly string[] Filler =
    [
        "Let me know if you want me to put this in your calendar as well.",
        "I'll keep that in mind for the rest of our conversation.",
        "If anything changes, just tell me and I'll update my notes.",
        "It might also be worth sharing this with the rest of the team so nobody is surprised later.",
        "Would you like a reminder a day before?",
        "I can also draft a short message about it if that helps.",
        "As far as I can tell, nothing else depends on it for now.",
        "That fits with what you told me earlier this month.",
        "Keep the confirmation email somewhere you can find it quickly.",
        "If you need the details again, just ask and I'll look them up from our earlier turns.",
        "It's a good idea to double-check the time zone when you travel.",
        "I noted it next to the other items for that week.",
        "Nothing about this conflicts with your other plans, as far as I know.",
        "You mentioned something similar a while ago, so this should sound familiar.",
        "In the meantime, I can prepare a checklist so that nothing is forgotten.",
        "Tell me if you'd prefer a shorter summary next time.",
        "The main thing is to decide early and then stick with it.",
        "A short written note often saves a long discussion later.",
        "I hope the rest of your day goes smoothly.",
        "If it helps, I can compare this with the options we discussed before.",
    ];

    /// <summary>Makes <paramref name="count"/> turns, oldest first, the same for the same seed.</summary>
    public static List<Message> Turns(int count, int seed = Seed)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);
        var turns = new List<Message>(count);
        var tokenizer = ContextBudget.DefaultTokenizer;
        for (var i = 0; i < count; i++)
        {
            var (query, core) = Exchange(random);
            var answer = Pad(core, random, targetWords: random.Next(40, 121) - Words(query));
            ChatMessage[] messages = [new(ChatRole.User, query), new(ChatRole.Assistant, answer)];
            turns.Add(new Message
            {
                Query = query,
                Answer = answer,
                Summary = TruncatingSummarizer.Summarize(query, answer),
                CreatedAt = start.AddMinutes(i * 7L),
                ChatMessages = messages,
                TokenCount = ContextBudget.CountTokens(tokenizer, messages),
                InputTokenCount = 1_500,
                OutputTokenCount = 150,
            });
        }

        return turns;
    }

    /// <summary>The text the setup embeds for a turn, as the selector embeds a turn recorded without a vector.</summary>
    public static string EmbeddedText(Message turn) => turn.Query + "\n" + turn.Answer;

    private static (string Query, string Answer) Exchange(Random random)
    {
        string P() => Projects[random.Next(Projects.Length)];
        string O() => People[random.Next(People.Length)];
        string C() => Cities[random.Next(Cities.Length)];
        string D() => string.Create(CultureInfo.InvariantCulture, $"{Weekdays[random.Next(7)]} {random.Next(1, 29)} {Months[random.Next(12)]}");
        string T() => string.Create(CultureInfo.InvariantCulture, $"{random.Next(7, 19)}:{random.Next(4) * 15:00}");

        switch (random.Next(14))
        {
            case 0:
            {
                var (project, owner, date) = (P(), O(), D());
                return ($"Note for later: project {project} is owned by {owner} now, and the deadline is {date}.",
                    $"Got it: {owner} owns project {project}, with the deadline on {date}. I'll remember that {owner} is the person to ask about its scope and schedule.");
            }

            case 1:
            {
                var (project, port) = (P(), random.Next(5_400, 5_499));
                return ($"The staging database of {project} moved to db-{random.Next(1, 9)}.internal, port {port}.",
                    $"Noted: the staging database of {project} now listens on port {port}. Remember to update the connection strings in the deployment settings and tell whoever runs the nightly jobs.");
            }

            case 2:
            {
                var (project, budget) = (P(), random.Next(8, 240) * 1_000);
                return (string.Create(CultureInfo.InvariantCulture, $"We agreed on a budget of {budget:N0} euros for {project} this quarter."),
                    string.Create(CultureInfo.InvariantCulture, $"Understood, {project} has {budget:N0} euros for this quarter. I'd suggest keeping about ten percent of it aside for surprises, and reviewing the spending at the end of each month."));
            }

            case 3:
            {
                var (city, date, flight) = (C(), D(), $"{(char)('A' + random.Next(26))}{(char)('A' + random.Next(26))} {random.Next(100, 999)}");
                return ($"I booked the trip to {city}: flight {flight} on {date}, seat {random.Next(3, 38)}{(char)('A' + random.Next(6))}, hotel near the old town.",
                    $"Lovely, {city} it is. Flight {flight} leaves on {date}; check in online a day before and keep the hotel booking number handy. The old town is usually walkable from most hotels there.");
            }

            case 4:
            {
                var (kind, date, time) = (Appointments[random.Next(Appointments.Length)], D(), T());
                return ($"My {kind} appointment is on {date} at {time}, can you remember that?",
                    $"Of course: {kind} appointment on {date} at {time}. Plan to arrive ten minutes early, and bring your insurance card in case they ask for it.");
            }

            case 5:
            {
                var (vendor, month, amount) = (Vendors[random.Next(Vendors.Length)], Months[random.Next(12)], random.Next(120, 9_800) + (random.Next(100) / 100.0));
                return (string.Create(CultureInfo.InvariantCulture, $"The invoice from {vendor} for {month} came in at {amount:0.00} euros, due in 30 days."),
                    string.Create(CultureInfo.InvariantCulture, $"Thanks, I've noted the {month} invoice from {vendor}: {amount:0.00} euros, payable within 30 days. It's worth checking it against the order before it goes to accounting."));
            }

            case 6:
            {
                var person = O();
                var first = person.Split(' ')[0];
                var allergy = Allergies[random.Next(Allergies.Length)];
                return ($"Remember that {first} is allergic to {allergy}, we're having dinner together next week.",
                    $"I'll remember that {person} is allergic to {allergy}. When you choose the restaurant, it's worth telling them in advance so the kitchen can plan around it.");
            }

            case 7:
            {
                var person = O();
                var preference = Preferences[random.Next(Preferences.Length)];
                return ($"{person.Split(' ')[0]} told me they prefer {preference}.",
                    $"Good to know: {person} prefers {preference}. I'll take that into account whenever you plan something with them.");
            }

            case 8:
            {
                var place = Places[random.Next(Places.Length)];
                var password = $"{Projects[random.Next(Projects.Length)].Split(' ')[1].ToLowerInvariant()}-{random.Next(1_000, 9_999)}";
                return ($"The wifi password at the {place} is {password}.",
                    $"Saved: the wifi at the {place} uses the password {password}. You might want to change it after guests have used it.");
            }

            case 9:
            {
                var (dish, steps) = Recipes[random.Next(Recipes.Length)];
                return ($"How do I make {dish}?", $"Here's a simple way to make {dish}. {steps}");
            }

            case 10:
            {
                var (project, person) = (P(), O());
                return ($"{person} is on call for {project} this week, and next week it's {O()}.",
                    $"Noted, {person} is on call for {project} this week. If something breaks outside office hours, the pager rota in the wiki has the phone numbers.");
            }

            case 11:
            {
                var (question, answer) = HowTo[random.Next(HowTo.Length)];
                return (question, answer);
            }

            default:
                return (ChitChatQueries[random.Next(ChitChatQueries.Length)], ChitChatAnswers[random.Next(ChitChatAnswers.Length)]);
        }
    }

    private static string Pad(string core, Random random, int targetWords)
    {
        var answer = new StringBuilder(core);
        var words = Words(core);
        while (words < targetWords)
        {
            var sentence = Filler[random.Next(Filler.Length)];
            answer.Append(' ').Append(sentence);
            words += Words(sentence);
        }

        return answer.ToString();
    }

    private static int Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
