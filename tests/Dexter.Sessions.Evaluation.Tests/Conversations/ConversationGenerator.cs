using System.Globalization;
using System.Text.RegularExpressions;
using static Dexter.Sessions.Evaluation.Tests.Conversations.ConversationPhrases;

namespace Dexter.Sessions.Evaluation.Tests.Conversations;

/// <summary>
/// Generates long conversations, deterministically from a seed: a few hundred turns over dated sessions (a session is a day,
/// days apart), mostly small talk, with facts stated inside longer messages — some of which change later — and the questions
/// about them asked at the end, each with the turns that hold its answer.
/// </summary>
/// <remarks>
/// Per conversation: <see cref="StaticFactCount"/> facts stated once, <see cref="EventCount"/> things that happened on the day
/// they are told, <see cref="ChangingFactCount"/> facts stated and changed once or twice, and the questions: one per fact
/// (<see cref="QuestionKind.SingleFact"/>), one per event (<see cref="QuestionKind.When"/>), one per changing fact
/// (<see cref="QuestionKind.LatestValue"/>) and <see cref="TwoFactCount"/> pairs of facts (<see cref="QuestionKind.TwoFacts"/>).
/// The model's answers are short replies that often echo the user's words.
/// </remarks>
internal static class ConversationGenerator
{
    public const int StaticFactCount = 16;
    public const int EventCount = 12;
    public const int ChangingFactCount = 6;
    public const int TwoFactCount = 14;

    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    private static readonly Regex Placeholder = new(@"\{(\w+)\}", RegexOptions.CultureInvariant);

    /// <summary>Generates <paramref name="count"/> conversations of <paramref name="minTurns"/> to <paramref name="maxTurns"/> turns from <paramref name="seed"/>.</summary>
    /// <remarks>Conversation <c>i</c> depends only on the seed and <c>i</c>, not on how many are generated.</remarks>
    public static IReadOnlyList<Conversation> Generate(int count, int seed, int minTurns = 250, int maxTurns = 350)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minTurns, 150);
        var conversations = new List<Conversation>(count);
        for (var i = 0; i < count; i++)
        {
            var random = new Random(unchecked((seed * 7919) + i));
            conversations.Add(GenerateOne($"conversation {i + 1}", random, random.Next(minTurns, maxTurns + 1)));
        }

        return conversations;
    }

    /// <summary>Tells whether <paramref name="text"/> states <paramref name="fact"/>: the words appear, whole, in any case.</summary>
    public static bool States(string text, string fact) =>
        Regex.IsMatch(text, @"(?<![\w-])" + Regex.Escape(fact) + @"(?![\w-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Conversation GenerateOne(string name, Random random, int turnCount)
    {
        var persona = Persona(random);
        var plan = new Statement?[turnCount];

        // Changing facts first: the first value early, each change at least a sixth of the conversation later.
        var changing = Pick(random, ChangingFacts, ChangingFactCount);
        var changes = new List<(ChangingFact Fact, string[] Values, int[] Positions)>();
        foreach (var fact in changing)
        {
            var stages = random.Next(3) == 0 ? 3 : 2;
            var values = Pick(random, fact.Values, stages);
            var positions = PlaceStages(random, plan, stages);
            for (var stage = 0; stage < stages; stage++)
            {
                var templates = stage == 0 ? fact.FirstStatements : fact.Updates;
                plan[positions[stage]] = new Statement(templates[random.Next(templates.Length)], values[stage], fact.Replies);
            }

            changes.Add((fact, values, positions));
        }

        var usedFirstNames = new HashSet<string>(persona.Values, StringComparer.Ordinal);
        var facts = new List<(Fact Fact, string Value, int Position)>();
        foreach (var fact in Pick(random, Facts, StaticFactCount))
        {
            var value = fact.IsPerson ? PersonName(random, usedFirstNames) : fact.Values[random.Next(fact.Values.Length)];
            var position = FreePosition(random, plan, 0, turnCount);
            plan[position] = new Statement(fact.Statements[random.Next(fact.Statements.Length)], value, fact.Replies);
            facts.Add((fact, value, position));
        }

        var events = new List<(Event Event, int Position)>();
        foreach (var happening in Pick(random, Events, EventCount))
        {
            var position = FreePosition(random, plan, 0, turnCount);
            plan[position] = new Statement(happening.Statements[random.Next(happening.Statements.Length)], happening.Phrase, [happening.Reply]);
            events.Add((happening, position));
        }

        var times = Schedule(random, turnCount);
        var turns = new List<ConversationTurn>(turnCount);
        for (var i = 0; i < turnCount; i++)
        {
            var (user, answer) = plan[i] is { } statement ? FactTurn(random, persona, statement) : SmallTalkTurn(random, persona);
            turns.Add(new ConversationTurn(i + 1, times[i], user, answer));
        }

        var questions = new List<EvaluationQuestion>();
        var answerable = new List<(string Question, Evidence Evidence)>();
        foreach (var (fact, value, position) in facts)
        {
            var evidence = new Evidence(position + 1, value);
            questions.Add(new(QuestionKind.SingleFact, fact.Questions[random.Next(fact.Questions.Length)], [evidence], [], null));
            answerable.Add((fact.Questions[random.Next(fact.Questions.Length)], evidence));
        }

        foreach (var (happening, position) in events)
        {
            questions.Add(new(QuestionKind.When, happening.Question, [new Evidence(position + 1, happening.Phrase)], [], DateOnly.FromDateTime(times[position].UtcDateTime)));
        }

        foreach (var (fact, values, positions) in changes)
        {
            var evidence = new Evidence(positions[^1] + 1, values[^1]);
            var stale = positions[..^1].Select(p => p + 1).ToArray();
            questions.Add(new(QuestionKind.LatestValue, fact.Questions[random.Next(fact.Questions.Length)], [evidence], stale, null));
            answerable.Add((fact.Questions[random.Next(fact.Questions.Length)], evidence));
        }

        var pairs = new HashSet<(int, int)>();
        while (pairs.Count < TwoFactCount)
        {
            var a = random.Next(answerable.Count);
            var b = random.Next(answerable.Count);
            if (a == b || !pairs.Add((Math.Min(a, b), Math.Max(a, b))))
            {
                continue;
            }

            var (template, lowerB) = TwoFactTemplates[random.Next(TwoFactTemplates.Length)];
            var text = template
                .Replace("{a}", answerable[a].Question, StringComparison.Ordinal)
                .Replace("{b}", lowerB ? LowerFirst(answerable[b].Question) : answerable[b].Question, StringComparison.Ordinal);
            questions.Add(new(QuestionKind.TwoFacts, text, [answerable[a].Evidence, answerable[b].Evidence], [], null));
        }

        var askedAt = times[^1].Date.AddDays(1).AddHours(10);
        return new Conversation(name, turns, questions, new DateTimeOffset(askedAt, TimeSpan.Zero));
    }

    /// <summary>The user's people: a sister, a brother, a partner, a child and a friend, with distinct first names.</summary>
    private static Dictionary<string, string> Persona(Random random)
    {
        var names = Pick(random, FirstNames, 5);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["sister"] = names[0], ["brother"] = names[1], ["partner"] = names[2], ["kid"] = names[3], ["friend"] = names[4],
        };
    }

    private static string PersonName(Random random, HashSet<string> usedFirstNames)
    {
        while (true)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            if (usedFirstNames.Add(first))
            {
                return first + " " + LastNames[random.Next(LastNames.Length)];
            }
        }
    }

    /// <summary>Positions for the stages of a changing fact, in order, each change at least a sixth of the turns after the one before.</summary>
    private static int[] PlaceStages(Random random, Statement?[] plan, int stages)
    {
        var n = plan.Length;
        var gap = n / 6;
        while (true)
        {
            var positions = new int[stages];
            positions[0] = random.Next(0, stages == 2 ? n * 2 / 5 : n * 3 / 10);
            for (var s = 1; s < stages; s++)
            {
                var from = positions[s - 1] + gap;
                var to = s == stages - 1 ? n : n * 7 / 10;
                positions[s] = from < to ? random.Next(from, to) : -1;
            }

            if (positions.All(p => p >= 0 && plan[p] is null))
            {
                return positions;
            }
        }
    }

    private static int FreePosition(Random random, Statement?[] plan, int from, int to)
    {
        while (true)
        {
            var position = random.Next(from, to);
            if (plan[position] is null)
            {
                return position;
            }
        }
    }

    /// <summary>
    /// When each turn is said: sessions of 3 to 12 turns, one per day, 1 to 9 days apart, starting between 7:00 and 21:59, the turns
    /// 1 to 6 minutes apart.
    /// </summary>
    private static DateTimeOffset[] Schedule(Random random, int turnCount)
    {
        var times = new DateTimeOffset[turnCount];
        var day = Start;
        var i = 0;
        while (i < turnCount)
        {
            var at = day.AddHours(random.Next(7, 22)).AddMinutes(random.Next(60));
            var length = random.Next(3, 13);
            for (var k = 0; k < length && i < turnCount; k++, i++)
            {
                times[i] = at;
                at = at.AddMinutes(random.Next(1, 7)).AddSeconds(random.Next(60));
            }

            day = day.AddDays(random.Next(1, 10));
        }

        return times;
    }

    /// <summary>A message that states a fact among one to three small-talk sentences (rarely first), and a reply to it.</summary>
    private static (string User, string Answer) FactTurn(Random random, Dictionary<string, string> persona, Statement statement)
    {
        var before = random.Next(4) == 0 ? 0 : random.Next(1, 3);
        var after = random.Next(2);
        var talk = Pick(random, SmallTalks, before + after);
        var sentences = new List<string>();
        var replies = new List<string>();
        foreach (var smallTalk in talk)
        {
            var slots = new Dictionary<string, string>(persona, StringComparer.Ordinal);
            sentences.Add(Fill(random, smallTalk.Sentence, slots));
            replies.Add(Fill(random, smallTalk.Replies[random.Next(smallTalk.Replies.Length)], slots));
        }

        var factSlots = new Dictionary<string, string>(persona, StringComparer.Ordinal) { ["v"] = statement.Value };
        sentences.Insert(before, Fill(random, statement.Template, factSlots));
        var answer = random.Next(10) < 7 || replies.Count == 0
            ? Fill(random, statement.Replies[random.Next(statement.Replies.Length)], factSlots)
            : replies[random.Next(replies.Count)];
        return (string.Join(' ', sentences), answer);
    }

    /// <summary>One to three small-talk sentences, and a reply to one of them.</summary>
    private static (string User, string Answer) SmallTalkTurn(Random random, Dictionary<string, string> persona)
    {
        var roll = random.Next(10);
        var talk = Pick(random, SmallTalks, roll < 4 ? 1 : roll < 8 ? 2 : 3);
        var sentences = new List<string>();
        var replies = new List<string>();
        foreach (var smallTalk in talk)
        {
            var slots = new Dictionary<string, string>(persona, StringComparer.Ordinal);
            sentences.Add(Fill(random, smallTalk.Sentence, slots));
            replies.Add(Fill(random, smallTalk.Replies[random.Next(smallTalk.Replies.Length)], slots));
        }

        return (string.Join(' ', sentences), Openers[random.Next(Openers.Length)] + replies[random.Next(replies.Count)]);
    }

    /// <summary>Fills a template's placeholders from <paramref name="slots"/>, drawing small-talk slots not filled yet from <see cref="Slots"/>.</summary>
    private static string Fill(Random random, string template, Dictionary<string, string> slots) =>
        Placeholder.Replace(template, match =>
        {
            var key = match.Groups[1].Value;
            var lower = char.ToLowerInvariant(key[0]) + key[1..];
            if (!slots.TryGetValue(lower, out var value))
            {
                var pool = Slots[lower];
                value = pool[random.Next(pool.Length)];
                slots[lower] = value;
            }

            return char.IsUpper(key[0]) ? UpperFirst(value) : value;
        });

    private static T[] Pick<T>(Random random, T[] items, int count)
    {
        var shuffled = (T[])items.Clone();
        random.Shuffle(shuffled);
        return shuffled[..count];
    }

    private static string UpperFirst(string text) =>
        text.Length == 0 ? text : char.ToUpper(text[0], CultureInfo.InvariantCulture) + text[1..];

    private static string LowerFirst(string text) =>
        text.Length == 0 ? text : char.ToLower(text[0], CultureInfo.InvariantCulture) + text[1..];

    /// <summary>A fact to state in a turn: the sentence, the value it states and the replies that fit.</summary>
    private sealed record Statement(string Template, string Value, string[] Replies);
}
