using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Selection;

public sealed class LexicalMessageSelectorTests
{
    private static readonly string[] Chatter =
    [
        "How is the weather looking today?",
        "Can you suggest a good film for tonight?",
        "Tell me a joke about programmers.",
        "What should I cook for dinner?",
        "Any tips for sleeping better?",
    ];

    private static Message[] Turns(int count, params (int Id, string Query)[] overrides) =>
        Enumerable.Range(1, count).Select(i => new Message
        {
            Id = i,
            Query = overrides.FirstOrDefault(o => o.Id == i).Query ?? Chatter[i % Chatter.Length],
            Answer = "Sure, happy to help with that.",
        }).ToArray();

    private static LexicalMessageSelector Selector(int alwaysIncludeLatest = 2, int maxCandidates = 1000, double recencyWeight = 0.1) =>
        new(Options.Create(new LexicalSelectorOptions { AlwaysIncludeLatest = alwaysIncludeLatest, MaxCandidates = maxCandidates, RecencyWeight = recencyWeight }));

    private static async Task<int[]> SelectIds(LexicalMessageSelector selector, string query, Message[] turns, int maxMessages) =>
        (await selector.SelectAsync(new MessageSelectionContext(query, turns, maxMessages))).Turns.Select(t => t.Id).ToArray();

    [Test]
    public async Task SelectAsync_OldTurnSharesRareWordsWithQuery_SelectsItOverNewerUnrelatedTurns()
    {
        var turns = Turns(40, (3, "We spent our honeymoon in Zanzibar on a spice farm."));

        var ids = await SelectIds(Selector(), "Remind me about the Zanzibar spice farm", turns, 3);

        Assert.That(ids, Is.EqualTo(new[] { 3, 39, 40 }));
    }

    [Test]
    public async Task SelectAsync_RelevantTurnsAnywhere_ReturnsThemInChronologicalOrder_AndBestFirstSeparately()
    {
        var turns = Turns(30, (20, "My neighbour plays the bagpipes."), (5, "The bagpipes again! My neighbour plays the bagpipes every night at midnight."));

        var selection = await Selector(alwaysIncludeLatest: 0).SelectAsync(new MessageSelectionContext("neighbour bagpipes midnight", turns, 2));

        Assert.Multiple(() =>
        {
            Assert.That(selection.Turns.Select(t => t.Id), Is.EqualTo(new[] { 5, 20 }));
            Assert.That(selection.MostRelevantFirst.Select(t => t.Id), Is.EqualTo(new[] { 5, 20 }));
        });
    }

    [Test]
    public async Task SelectAsync_AlwaysIncludeLatest_KeepsTheLatestTurnsAndFillsTheRestByRelevance()
    {
        var turns = Turns(30, (4, "The Kilimanjaro trek was hard."), (9, "I trained for the Kilimanjaro trek."));

        var selection = await Selector(alwaysIncludeLatest: 3).SelectAsync(new MessageSelectionContext("Kilimanjaro trek", turns, 4));

        Assert.Multiple(() =>
        {
            Assert.That(selection.Turns.Select(t => t.Id), Is.EqualTo(new[] { 9, 28, 29, 30 }));
            Assert.That(selection.MostRelevantFirst.Select(t => t.Id), Is.EqualTo(new[] { 30, 29, 28, 9 }));
        });
    }

    [Test]
    public async Task SelectAsync_MoreMatchingTurnsThanTheLimit_ReturnsAtMostTheLimit()
    {
        var turns = Enumerable.Range(1, 50).Select(i => new Message { Id = i, Query = "Tell me about saxophones, part " + i, Answer = "Saxophones are reeds." }).ToArray();

        var ids = await SelectIds(Selector(), "saxophones", turns, 7);

        Assert.That(ids, Has.Length.EqualTo(7).And.Ordered.And.Unique);
    }

    [Test]
    public async Task SelectAsync_AtMostTheLimit_ReturnsEveryTurn()
    {
        var turns = Turns(5);

        var selection = await Selector().SelectAsync(new MessageSelectionContext("anything", turns, 5));

        Assert.That(selection.Turns, Is.EqualTo(turns));
    }

    [Test]
    public async Task SelectAsync_NoCandidates_ReturnsNone()
    {
        var ids = await SelectIds(Selector(), "Zanzibar", [], 5);

        Assert.That(ids, Is.Empty);
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("What is the... ?")]
    [TestCase("xylophonist quokka")]
    public async Task SelectAsync_QueryWithoutAWordFoundInTheTurns_ReturnsTheLatestTurns(string query)
    {
        var turns = Turns(20, (2, "What is the capital of Zanzibar?"));

        var ids = await SelectIds(Selector(), query, turns, 4);

        Assert.That(ids, Is.EqualTo(new[] { 17, 18, 19, 20 }));
    }

    [TestCase("Where was that café?", "We met at the cafe near the station.")]
    [TestCase("Where was that cafe?", "We met at the Café near the station.")]
    [TestCase("Qué pasó en Málaga", "Our trip to MALAGA was lovely.")]
    public async Task SelectAsync_AccentsDiffer_StillMatches(string query, string turn)
    {
        var turns = Turns(20, (6, turn));

        var ids = await SelectIds(Selector(alwaysIncludeLatest: 0), query, turns, 1);

        Assert.That(ids, Is.EqualTo(new[] { 6 }));
    }

    [Test]
    public async Task SelectAsync_NumberInQuery_MatchesTheTurnMentioningIt()
    {
        var turns = Turns(20, (7, "I moved house in 2019."), (12, "I changed jobs in 2021."));

        var ids = await SelectIds(Selector(alwaysIncludeLatest: 0), "What happened in 2019?", turns, 1);

        Assert.That(ids, Is.EqualTo(new[] { 7 }));
    }

    [Test]
    public async Task SelectAsync_WordsOfAnotherScript_Match()
    {
        var turns = Turns(20, (8, "Я живу в Москве, а брат в Киеве."));

        var ids = await SelectIds(Selector(alwaysIncludeLatest: 0), "Где живёт брат?", turns, 1);

        Assert.That(ids, Is.EqualTo(new[] { 8 }));
    }

    [Test]
    public async Task SelectAsync_EquallyRelevantTurns_PrefersTheNewer()
    {
        var turns = Turns(20, (3, "Our parrot is named Kiwi."), (11, "Our parrot is named Kiwi."));

        var ids = await SelectIds(Selector(alwaysIncludeLatest: 0), "parrot Kiwi", turns, 1);

        Assert.That(ids, Is.EqualTo(new[] { 11 }));
    }

    [Test]
    public async Task SelectAsync_RelevantTurnOlderThanMaxCandidates_IsNotSelected()
    {
        var turns = Turns(30, (2, "The Zanzibar trip."));

        var ids = await SelectIds(Selector(alwaysIncludeLatest: 0, maxCandidates: 10), "Zanzibar", turns, 3);

        Assert.That(ids, Is.EqualTo(new[] { 28, 29, 30 }));
    }

    [Test]
    public void SelectAsync_CancelledToken_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.That(
            async () => await Selector().SelectAsync(new MessageSelectionContext("Zanzibar", Turns(200), 5), cancellation.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void SelectAsync_NullContext_Throws()
    {
        Assert.That(async () => await Selector().SelectAsync(null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("context"));
    }

    [Test]
    public void GetCandidateCount_ReturnsMaxCandidates_AndAtLeastTheLimit()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new LexicalMessageSelector().GetCandidateCount(10), Is.EqualTo(LexicalSelectorOptions.DefaultMaxCandidates));
            Assert.That(Selector(maxCandidates: 5).GetCandidateCount(10), Is.EqualTo(10));
        });
    }

    [TestCase(-1, 1000, 0.1, "LexicalSelectorOptions.AlwaysIncludeLatest must be at least 0; it is -1.")]
    [TestCase(2, 0, 0.1, "LexicalSelectorOptions.MaxCandidates must be at least 1; it is 0.")]
    [TestCase(2, 1000, 1.5, "LexicalSelectorOptions.RecencyWeight must be between 0 and 1; it is 1.5.")]
    [TestCase(2, 1000, -0.1, "LexicalSelectorOptions.RecencyWeight must be between 0 and 1; it is -0.1.")]
    [TestCase(2, 1000, double.NaN, "LexicalSelectorOptions.RecencyWeight must be between 0 and 1; it is NaN.")]
    public void Constructor_OptionOutOfRange_ThrowsNamingTheSetting(int alwaysIncludeLatest, int maxCandidates, double recencyWeight, string message)
    {
        Assert.That(
            () => Selector(alwaysIncludeLatest, maxCandidates, recencyWeight),
            Throws.TypeOf<OptionsValidationException>().With.Property(nameof(OptionsValidationException.Failures)).EqualTo(new[] { message }));
    }
}
