namespace Dexter.Sessions.Evaluation.Tests.Conversations;

/// <summary>
/// The word pools and templates of <see cref="ConversationGenerator"/>. Placeholders: <c>{v}</c> the fact's value (<c>{V}</c>
/// capitalized), <c>{sister}</c>, <c>{brother}</c>, <c>{partner}</c>, <c>{kid}</c>, <c>{friend}</c> the user's people, and the
/// small-talk slots of <see cref="Slots"/> (<c>{dish}</c>, <c>{Dish}</c>, …), filled once per sentence and reply.
/// </summary>
/// <remarks>
/// A fact's value appears in no small-talk sentence and in no other fact, so the turn that states it is the only one that can
/// answer its question. Questions are written with other words than the statements ("What animal does my sister keep?" for
/// "{sister} adopted a {v} last spring").
/// </remarks>
internal static class ConversationPhrases
{
    /// <summary>A fact stated once.</summary>
    public sealed record Fact(string Key, string[] Values, string[] Statements, string[] Questions, string[] Replies)
    {
        /// <summary>Gets whether the value is a person's full name (<see cref="PersonName"/>) rather than one of <see cref="Values"/>.</summary>
        public bool IsPerson => Values.Length == 0;
    }

    /// <summary>A fact stated once and changed later, once or twice.</summary>
    public sealed record ChangingFact(string Key, string[] Values, string[] FirstStatements, string[] Updates, string[] Questions, string[] Replies);

    /// <summary>Something that happened on the day the user tells it; <see cref="Phrase"/> names it.</summary>
    public sealed record Event(string Phrase, string[] Statements, string Question, string Reply);

    /// <summary>A small-talk sentence and the replies that fit it.</summary>
    public sealed record SmallTalk(string Sentence, params string[] Replies);

    /// <summary>The values of a fact whose value is a person's full name, drawn from <see cref="FirstNames"/> and <see cref="LastNames"/>.</summary>
    public static readonly string[] PersonName = [];

    public static readonly string[] FirstNames =
    [
        "Ana", "Bruno", "Carla", "Dmitri", "Elif", "Farah", "Goran", "Hanna", "Ivo", "Jana", "Kasia", "Lior", "Marta", "Nils",
        "Odile", "Pavel", "Rhea", "Sami", "Tereza", "Umar", "Vesna", "Wiebke", "Xavier", "Yara", "Zeno", "Agnes", "Bastian",
        "Cosima", "Dario", "Esme",
    ];

    public static readonly string[] LastNames =
    [
        "Dahl", "Castell", "Raman", "Okonkwo", "Brandt", "Ferreira", "Holm", "Iqbal", "Jansen", "Kovac", "Lehmann", "Mbeki",
        "Nyberg", "Orsini", "Petit", "Quist", "Rinaldi", "Sato", "Tamm", "Urban",
    ];

    public static readonly Fact[] Facts =
    [
        new("sister's pet",
            ["tabby cat", "greyhound", "pair of budgies", "corn snake", "rescue rabbit", "border collie", "bearded dragon", "tortoise"],
            ["{sister} adopted a {v} last spring and sends me photos of it every single day.",
             "{sister} finally has the pet she always wanted, a {v}, and it already rules her flat."],
            ["What animal does my sister keep?", "Which pet lives with my sister?"],
            ["A {v} — how lovely! Has {sister} picked a name yet?", "{sister} must be thrilled with the {v}."]),
        new("manager", PersonName,
            ["My new manager is {v}, strict but fair, and she actually reads the reports.",
             "I finally met {v}, who runs our department now and signs off everything I do."],
            ["Who is my boss?", "Who do I report to at the office?"],
            ["{v} sounds like a good person to learn from.", "Good to know — so {v} signs off your work."]),
        new("allergy",
            ["shellfish", "peanuts", "sesame", "kiwi", "hazelnuts", "celery", "mustard seeds"],
            ["The tests came back and I'm allergic to {v}, so no more of that for me.",
             "Turns out the rash was from {v}; the doctor says I have to avoid it completely."],
            ["Which food makes me ill?", "What can't I eat for health reasons?"],
            ["An allergy to {v} — good that you found out. Do you carry antihistamines?", "Avoiding {v} can be tricky when eating out; always ask the staff."]),
        new("instrument",
            ["cello", "trumpet", "banjo", "harp", "clarinet", "ukulele", "mandolin"],
            ["I've started {v} lessons on Saturday mornings, my fingers hurt already.",
             "I bought a second-hand {v} and found a teacher two streets away."],
            ["What am I learning to play?", "Which musical instrument have I taken up?"],
            ["The {v} is a great choice — how are the lessons going?", "Enjoy the {v}! Short daily practice works best."]),
        new("partner's job",
            ["paediatric nurse", "civil engineer", "sound technician", "primary school teacher", "tax lawyer", "pastry chef", "bus driver"],
            ["{partner} has been working as a {v} for six years and still loves it.",
             "{partner} got home late again, that's life as a {v}."],
            ["What does my other half do for work?", "What is my partner's profession?"],
            ["Being a {v} is demanding — {partner} sounds dedicated.", "A {v}! That must make for interesting dinner stories."]),
        new("child's sport",
            ["water polo", "fencing", "badminton", "judo", "field hockey", "table tennis"],
            ["{kid} joined the {v} club at school and talks about nothing else.",
             "We signed {kid} up for {v} on Thursday afternoons."],
            ["Which sport does my child do after school?", "What does my kid train for every week?"],
            ["{V} is a great sport for kids — does {kid} have a match soon?", "Good for {kid}! {V} builds a lot of confidence."]),
        new("mother's birthday",
            ["14 March", "2 July", "29 October", "8 December", "21 May", "17 August"],
            ["Mum's birthday is on {v}, please help me not forget it this year.",
             "Note for the calendar: Mum turns seventy on {v}."],
            ["When is my mother's birthday?", "What date do I need to remember for my mother?"],
            ["{v} — noted! Any gift ideas yet?", "I'll keep {v} in mind."]),
        new("favourite restaurant",
            ["Kumo Ramen", "Casa Lupa", "The Copper Pot", "Bistro Margaux", "Little Saigon Kitchen", "Taverna Eleni"],
            ["My favourite place to eat is {v}, the staff know my order by now.",
             "We ended up at {v} again; honestly nothing beats it."],
            ["Which restaurant do I like best?", "Where do I go when I want my favourite meal out?"],
            ["{v} sounds great — what do you usually order?", "Nothing like a regular spot like {v}."]),
        new("language",
            ["Japanese", "Portuguese", "Finnish", "Korean", "Greek", "Turkish", "Welsh"],
            ["I'm learning {v} with an app on the train every morning.",
             "My {v} course started, and the grammar is already humbling me."],
            ["Which foreign tongue am I studying?", "What language am I picking up?"],
            ["{v} is a wonderful language — how far along are you?", "Good luck with {v}; consistency beats intensity."]),
        new("spare key", PersonName,
            ["I left a spare key with {v} from the flat downstairs, just in case.",
             "If I ever get locked out, {v} next door has a copy of the key."],
            ["Who can let me in if I lose my keys?", "Which neighbour holds a copy of my house key?"],
            ["Smart move leaving a key with {v}.", "Good to have {v} nearby for emergencies."]),
        new("book club",
            ["The Remains of the Day", "Piranesi", "Middlemarch", "Stoner", "Circe", "The Overstory", "Kindred"],
            ["Our book club picked {v} for this month, I'm only on chapter two.",
             "I need to finish {v} before the book club meets."],
            ["Which novel is my reading group discussing?", "What am I supposed to be reading for the group?"],
            ["{v} is a great pick — are you enjoying it?", "{v} rewards patience; keep going!"]),
        new("brother's country",
            ["New Zealand", "Canada", "Chile", "Kenya", "Norway", "Vietnam", "Argentina"],
            ["{brother} has been living in {v} for years, and the time difference makes calls tricky.",
             "{brother} says the weather in {v}, where he has lived for years, is terrible this month."],
            ["Which country does my brother live in?", "Where abroad is my brother settled?"],
            ["{v} is a long way — do you get to visit {brother} often?", "Visiting {v} would be an adventure!"]),
        new("series",
            ["Slow Horses", "The Bear", "Severance", "Shogun", "Borgen", "Blue Lights", "Derry Girls"],
            ["We're hooked on {v}, one episode every night after dinner.",
             "I stayed up far too late watching {v} again."],
            ["What show am I bingeing?", "Which TV series are we watching at home?"],
            ["{v} is excellent — no spoilers, I promise!", "Ah, {v} is hard to stop watching."]),
        new("coffee order",
            ["flat white", "oat cortado", "cold brew", "chai latte", "double espresso", "matcha latte"],
            ["My usual order at the corner café never changes: {v}, no sugar.",
             "The barista started making my {v} as soon as I walk in."],
            ["What do I drink when I go to the coffee shop?", "What's my regular drink order?"],
            ["{V} is a classic choice.", "Your {v} ready before you order — that's service!"]),
        new("shoe size",
            ["size 38", "size 39", "size 41", "size 42", "size 44", "size 45"],
            ["Note to self: I take a {v} in running shoes, the last pair was too tight.",
             "The shop only had my trainers in {v}, which luckily is what I wear."],
            ["What shoe size do I wear?", "Which size should I buy when I get new sneakers?"],
            ["{V}, noted — worth trying shoes on in the afternoon.", "Good to know you wear {v}."]),
        new("dentist",
            ["Dr Okafor", "Dr Lindqvist", "Dr Moreau", "Dr Haddad", "Dr Novak", "Dr Fischer"],
            ["My dentist is {v}, she's gentle and never rushes.",
             "I finally switched to {v} for check-ups and it's so much better."],
            ["Who looks after my teeth?", "Which doctor do I see for dental check-ups?"],
            ["A gentle dentist like {v} is worth keeping.", "{v} sounds like a keeper."]),
        new("summer trip",
            ["Sardinia", "Crete", "the Azores", "Madeira", "Corsica", "Iceland", "the Dolomites"],
            ["We booked two weeks in {v} for the summer holiday.",
             "Summer plan is settled: {v}, a rental car and no laptops."],
            ["Where are we travelling on vacation this year?", "What destination did we choose for our big trip?"],
            ["{V} in summer will be wonderful!", "Two weeks in {v} — pack sunscreen."]),
        new("balcony plant",
            ["fig tree", "lemon tree", "dwarf olive", "bay laurel", "bougainvillea", "jasmine vine"],
            ["I bought a {v} for the balcony, fingers crossed it survives.",
             "The {v} on the balcony has new leaves already."],
            ["What did I plant outside on the terrace?", "Which plant is growing on my balcony?"],
            ["A {v} on a balcony — lovely. Make sure it gets enough sun.", "Good news about the {v}!"]),
        new("grandmother's age",
            ["ninety-one", "eighty-seven", "ninety-four", "eighty-nine", "ninety-six"],
            ["Gran turned {v} last week and still does the crossword in pen.",
             "Can you believe Gran is {v}? She walks to the market every day."],
            ["How old is my grandmother?", "What age did my nan reach?"],
            ["{V} and still sharp — amazing!", "{V}! She sounds wonderful."]),
        new("friend's wedding",
            ["Seville", "Dubrovnik", "Galway", "Salzburg", "Siena", "Bruges"],
            ["{friend} is getting married in {v} in September and I'm one of the witnesses.",
             "The invitation from {friend} came: the ceremony is in {v}, by the old cathedral."],
            ["Where is my best friend's wedding?", "In which town will my friend tie the knot?"],
            ["A wedding in {v} — how romantic!", "{v} in September will be beautiful."]),
    ];

    public static readonly ChangingFact[] ChangingFacts =
    [
        new("home city",
            ["Lisbon", "Porto", "Valencia", "Utrecht", "Ghent", "Bologna", "Gothenburg", "Krakow", "Edinburgh", "Bordeaux"],
            ["I moved to {v} at the weekend and the flat is still full of boxes.",
             "Settling into {v} slowly; I found a good bakery near the new flat."],
            ["Big change: we relocated to {v}, the new place is close to the river.",
             "We packed everything again and we are now living in {v}."],
            ["Which city do I live in these days?", "Where is home for me now?"],
            ["{v}! How are you finding it so far?", "Moving is exhausting — I hope {v} treats you well."]),
        new("employer",
            ["Fernhill Logistics", "Brightwave Energy", "Northgate Insurance", "Quillon Games", "Harbor and Finch", "Solent Robotics", "Meridian Foods", "Alder Health"],
            ["I signed the contract with {v}, I start on Monday as an analyst.",
             "First week at {v} done, the people seem nice."],
            ["I handed in my notice and I'm joining {v} next month.",
             "Job news: {v} made me an offer I couldn't refuse, and I accepted."],
            ["Which company pays my salary now?", "Who am I employed by at the moment?"],
            ["Congratulations on {v}!", "{v} — exciting! What will you be working on?"]),
        new("phone",
            ["Pixel 8", "Sony Xperia 10", "Galaxy S23", "Fairphone 5", "Nokia X30", "OnePlus 12"],
            ["I finally replaced my cracked phone with a {v}.",
             "Setting up my new {v} took the whole evening."],
            ["I gave up on my old phone and switched to a {v}.",
             "Traded in my phone for a {v}; the battery is much better."],
            ["What handset am I using currently?", "Which mobile do I carry now?"],
            ["The {v} is a solid device.", "Enjoy the {v}!"]),
        new("diet",
            ["vegetarian", "vegan", "pescatarian", "low-carb", "gluten-free"],
            ["I've been eating {v} for a couple of weeks now and I feel great.",
             "We decided to go {v} at home, mostly for health reasons."],
            ["I switched things up and I'm fully {v} now.",
             "New rule at home: everything we cook is {v} from now on."],
            ["What eating style am I following at the moment?", "What kind of diet do I stick to lately?"],
            ["Going {v} is a big change — how's it going?", "{V} cooking can be really tasty."]),
        new("car",
            ["blue Toyota Yaris", "green Skoda Octavia", "white Renault Zoe", "grey Volvo V60", "red Mazda 3", "black Kia Niro"],
            ["We bought a {v}, second-hand but it runs well.",
             "Picked up our {v} from the dealer, it smells like new."],
            ["We sold the old car and got a {v} instead.",
             "The garage gave us a good price, so we swapped the car for a {v}."],
            ["What are we driving now?", "Which vehicle do we own at the moment?"],
            ["A {v} is practical.", "Enjoy the {v}! Safe travels."]),
        new("exercise",
            ["bouldering", "spin classes", "aqua aerobics", "kickboxing", "pilates", "rowing", "trail running"],
            ["I signed up for {v} twice a week, it's harder than it looks.",
             "My new routine is {v} on Tuesdays and Fridays."],
            ["I dropped the old routine and started {v} instead.",
             "These days it's {v} for me, three mornings a week."],
            ["How do I keep fit lately?", "What is my workout of choice these days?"],
            ["{V} is a great way to stay fit!", "Good for you — {v} is fun once you get going."]),
        new("team at work",
            ["payments", "billing", "data platform", "checkout", "fraud detection", "developer tools"],
            ["At work they put me on the {v} team, lots to learn.",
             "I joined the {v} squad this sprint."],
            ["Reorganisation again: I'm now in the {v} group.",
             "My manager moved me to the {v} team last week."],
            ["Which group am I part of at the office now?", "What unit do I belong to at my job?"],
            ["The {v} team sounds interesting.", "Good luck in {v}!"]),
    ];

    public static readonly Event[] Events =
    [
        new("driving test", ["I passed my {v} this morning, first try!"], "When did I get my licence?", "Congratulations on passing! Where will you drive first?"),
        new("half marathon", ["I ran my first {v} today, two hours and four minutes."], "When did I complete my first 21-kilometre race?", "Well done! How are your legs feeling?"),
        new("wisdom tooth", ["I had a {v} pulled this morning and my face is swollen."], "When was my dental surgery?", "Ouch — rest, ice and soft food for a couple of days."),
        new("thesis", ["I handed in my {v} today, I can finally breathe."], "When did I submit my dissertation?", "What a milestone — congratulations!"),
        new("team lead", ["I got promoted to {v} today!"], "When did I move up to a leadership role?", "Congratulations on the promotion!"),
        new("boiler", ["Our {v} broke down this morning, so it's cold showers for now."], "When did the heating stop working?", "That's miserable — did you call a plumber?"),
        new("first tattoo", ["I got my {v} today, a small swallow on my wrist."], "When did I get inked?", "A swallow is a lovely design! Keep it moisturised."),
        new("old bike", ["I sold my {v} online today for a decent price."], "When did I get rid of my bicycle?", "Nice, one less thing in the hallway!"),
        new("apple tree", ["We planted an {v} in the garden today."], "When did we put the fruit tree in the ground?", "In a few years you'll have your own apples!"),
        new("flights for the wedding", ["I booked the {v} today, window seats both ways."], "When did I reserve the plane tickets?", "Good to have that sorted early."),
        new("got engaged", ["{sister} {v} today, we are all over the moon!"], "When did my sister's engagement happen?", "How wonderful — congratulations to {sister}!"),
        new("donated blood", ["I {v} for the first time this morning."], "When did I give blood?", "That's generous — drink plenty of water today."),
        new("jigsaw", ["I finished the 2,000-piece {v} today, it took all winter."], "When did I complete the big puzzle?", "Will you frame it or break it up?"),
        new("streaming subscription", ["I cancelled my {v} today, too many services."], "When did I stop paying for the TV service?", "Sensible — you can always rejoin later."),
        new("flu jab", ["I got my {v} this morning, arm's a bit sore."], "When was my vaccination?", "A sore arm is normal; it should pass in a day."),
        new("new passport", ["My {v} arrived today, just in time."], "When did my travel document come through?", "Perfect timing! Check the details are right."),
    ];

    /// <summary>Joins two questions into one that needs both facts; <c>{b}</c> starts lower-case where it goes on a sentence.</summary>
    public static readonly (string Template, bool LowerB)[] TwoFactTemplates =
    [
        ("Two things I forgot: {a} And {b}", true),
        ("{a} Also, {b}", true),
        ("Quick check before I go out. {a} And {b}", true),
        ("Help me remember — {a} {b}", false),
    ];

    public static readonly Dictionary<string, string[]> Slots = new(StringComparer.Ordinal)
    {
        ["dish"] = ["lentil soup", "mushroom risotto", "chickpea curry", "roast vegetables", "shakshuka", "banana bread", "lemon pasta", "bean chilli", "leek pie", "potato gratin"],
        ["weather"] = ["grey and drizzly", "bright but freezing", "windy all day", "warm and sunny", "foggy until noon", "humid and sticky", "stormy"],
        ["activity"] = ["a long walk by the canal", "an early night", "a board game evening", "a visit to the flea market", "a lazy brunch", "a trip to the hardware store", "a picnic in the park", "a museum afternoon"],
        ["worktask"] = ["the budget spreadsheet", "the quarterly report", "a client presentation", "the hiring plan", "the migration plan", "a long code review", "the supplier contract"],
        ["film"] = ["a Swedish thriller", "an old western", "a nature documentary", "a French comedy", "a space adventure", "a courtroom drama"],
        ["topic"] = ["podcasts about history", "open-plan offices", "electric scooters", "pineapple on pizza", "audiobooks", "working from cafés", "smart watches"],
        ["weekday"] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        ["errand"] = ["pick up the dry cleaning", "renew the parking permit", "return a parcel", "buy a birthday card", "fix the squeaky door", "call the bank"],
        ["place"] = ["the market", "the library", "the park", "the harbour", "the old town", "the garden centre"],
    };

    public static readonly SmallTalk[] SmallTalks =
    [
        new("The weather here was {weather} today.", "{Weather} days call for something warm to drink.", "Sounds like a day for staying in with a book."),
        new("I made {dish} for dinner tonight.", "{Dish} sounds delicious — was it a new recipe?", "Nice! {Dish} is great for leftovers too."),
        new("Thinking about {activity} this weekend.", "{Activity} sounds like a great plan.", "That sounds relaxing — I hope the weather plays along."),
        new("Work was all about {worktask} again.", "{Worktask} can eat a whole day. Did you get through it?", "Hopefully {worktask} is nearly done."),
        new("We watched {film} last night, it was better than expected.", "Nice! {Film} can be a pleasant surprise.", "Good films are the best end to a day."),
        new("Honestly, I'm not sure what I think about {topic}.", "People are split on {topic}; what bothers you about it?", "It's fine to be undecided about {topic}."),
        new("I still need to {errand} before {weekday}.", "Put it on a list so {weekday} doesn't sneak up on you.", "You've got time before {weekday}."),
        new("Spent an hour at {place} this afternoon.", "{Place} is a nice spot to spend an afternoon.", "Sounds peaceful!"),
        new("{sister} called to ask about Sunday lunch.", "Say hi to {sister}! Are you hosting?", "Sunday lunch with {sister} sounds nice."),
        new("My brother {brother} sent me a photo of his breakfast again.", "Ha, {brother} seems to enjoy sharing.", "At least you know {brother} eats well."),
        new("{partner} and I argued about where to put the new shelf.", "Shelf placement debates are a classic. Who won?", "Measure twice, drill once!"),
        new("{kid} has a cold, so it was a slow morning.", "Poor {kid}, I hope it passes quickly.", "Rest and fluids — hope {kid} feels better soon."),
        new("Had coffee with my friend {friend} and we talked for hours.", "Those long chats with {friend} are the best.", "Sounds like a lovely catch-up."),
        new("I slept badly, the neighbours had a party.", "Sorry to hear that — earplugs might help.", "An early night tonight, maybe?"),
        new("Can you suggest something quick to cook on a weeknight?", "An omelette with whatever vegetables you have is fast and filling.", "Stir-fried noodles take about fifteen minutes."),
        new("Any tips for staying focused in the afternoon?", "A short walk and a glass of water after lunch help a lot.", "Try working in 25-minute blocks with short breaks."),
        new("The train was late again this morning.", "Delays are so frustrating. Was it a long wait?", "At least you had time to read, I hope."),
        new("I tried a new bakery near {place}, their croissants are great.", "Good croissants are worth the detour.", "A new bakery near {place} — lucky you!"),
        new("I'm thinking of repainting the living room a lighter colour.", "A lighter colour can make the room feel bigger.", "Try a few sample patches first."),
        new("The supermarket was packed, everyone shopping at once.", "Going early in the morning usually helps.", "Busy shops are draining."),
        new("I finally cleaned out the fridge.", "Satisfying job! Anything surprising at the back?", "Nice, a fresh start."),
        new("I should call my mum more often.", "A short call now and then means a lot.", "Maybe set a weekly reminder?"),
        new("My back is stiff from sitting all day.", "Try standing up every half hour and stretching.", "A short walk at lunch can help."),
        new("It's been a quiet day, nothing much happening.", "Quiet days are good for recharging.", "Enjoy the calm!"),
        new("I found an old photo album in a box.", "Old photos bring back so many memories.", "Any embarrassing haircuts in there?"),
        new("Reading the news this morning put me in a bad mood.", "Maybe limit it to once a day?", "That happens — a walk might help."),
        new("We had friends over and played cards until midnight.", "Sounds like a fun evening!", "Who won?"),
        new("I'm trying to drink more water this month.", "A bottle on your desk is a good reminder.", "Good habit!"),
        new("The city was full of tourists today.", "Busy season! Do you have any quiet corners you like?", "Crowds can be tiring."),
        new("I lost my umbrella again.", "Maybe time for a bright one that's hard to forget.", "Umbrellas do seem to vanish."),
        new("My laptop has been painfully slow lately.", "Restarting and clearing startup apps often helps.", "It might be time for a clean-up."),
        new("What's a good way to fall asleep faster?", "Keep the room cool and screens away for the last hour.", "A regular bedtime helps more than anything."),
        new("I'm planning a small dinner for {weekday}.", "What are you thinking of cooking on {weekday}?", "Sounds fun — how many people?"),
        new("The heating bill this month was scary.", "Energy prices are rough; a thermostat schedule can help.", "Ouch. Maybe check the insulation?"),
        new("Do you think it's worth learning to touch-type?", "Yes, it pays off quickly if you type a lot.", "Definitely — a few weeks of practice is enough."),
        new("The meeting about {worktask} ran over by an hour.", "Long meetings are exhausting. Was anything decided?", "Maybe suggest an agenda next time."),
        new("Our street is being dug up for new pipes.", "Roadworks are noisy — hopefully they finish quickly.", "That sounds disruptive."),
        new("I fixed the wobbly table with a folded coaster.", "A classic fix!", "Sometimes the simplest solution works."),
        new("I want to get better at saving money.", "Automatic transfers on payday make it easier.", "Tracking spending for a month is a good start."),
        new("The cat from next door keeps visiting our garden.", "A regular visitor! Does it have a name?", "Cats do choose their own friends."),
        new("I'm craving something sweet.", "A piece of dark chocolate might do it.", "Maybe some fruit with yoghurt?"),
        new("The weekend was too short as usual.", "They always are!", "Here's to the next one."),
        new("Sorry, long day — just wanted to chat for a minute.", "Always happy to chat. How are you holding up?", "No need to apologise."),
    ];

    /// <summary>Openings added before a reply to small talk, now and then.</summary>
    public static readonly string[] Openers = ["", "", "", "Thanks for telling me. ", "I see. ", "Got it. ", "Oh! "];
}
