using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Tests.Context;

/// <summary><see cref="SessionChatReducer"/>: the session layer's budget and rolling summary over a caller's own message list.</summary>
public sealed class SessionChatReducerTests
{
    private static readonly string Padding = string.Join(' ', Enumerable.Repeat("Miners bundle transactions into blocks.", 8));

    private static List<ChatMessage> Conversation(int turns)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, "You are a helpful assistant.") };
        for (var i = 1; i <= turns; i++)
        {
            messages.Add(new ChatMessage(ChatRole.User, $"Question {i}: {Padding}"));
            messages.Add(new ChatMessage(ChatRole.Assistant, $"Answer {i}: {Padding}"));
        }

        return messages;
    }

    private static SessionChatReducer Reducer(int budget, IRollingSummarizer? summarizer = null) =>
        new(Options.Create(new DexterSessionsOptions { MaxContextTokens = budget, RollingSummaryMaxTokens = 200 }), summarizer);

    private static int Tokens(IEnumerable<ChatMessage> messages) => ContextBudget.CountTokens(ContextBudget.DefaultTokenizer, messages);

    [Test]
    public async Task ReduceAsync_EverythingFits_ReturnsTheMessagesAsTheyAre()
    {
        var messages = Conversation(3);

        var reduced = (await Reducer(4_000).ReduceAsync(messages, CancellationToken.None)).ToList();

        Assert.That(reduced, Is.EqualTo(messages));
    }

    [Test]
    public async Task ReduceAsync_OverTheBudget_KeepsSystemThenSummaryThenTheLatestTurnsWithinTheBudget()
    {
        var messages = Conversation(30);

        var reduced = (await Reducer(1_000).ReduceAsync(messages, CancellationToken.None)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(Tokens(reduced), Is.LessThanOrEqualTo(1_000));
            Assert.That(reduced[0], Is.SameAs(messages[0]));
            Assert.That(reduced[1].Role, Is.EqualTo(ChatRole.System));
            Assert.That(reduced[1].Text, Does.Match(@"\n#\d+ Question \d+"), "one line per folded turn, with its number");
            Assert.That(reduced[^1], Is.SameAs(messages[^1]), "the latest turn is kept");
            Assert.That(reduced[2].Role, Is.EqualTo(ChatRole.User), "kept turns start at a user message");
        });
    }

    [Test]
    public async Task ReduceAsync_CalledAgainWithMoreTurns_FoldsOnlyTheTurnsThatLeftSince()
    {
        var summarizer = new RecordingSummarizer();
        var reducer = Reducer(1_000, summarizer);
        var messages = Conversation(20);
        await reducer.ReduceAsync(messages, CancellationToken.None);
        var firstFolded = summarizer.Calls.Single().Turns;

        messages.AddRange(Conversation(2).Skip(1));
        var reduced = (await reducer.ReduceAsync(messages, CancellationToken.None)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(firstFolded, Is.EqualTo(Enumerable.Range(1, firstFolded.Length)));
            Assert.That(summarizer.Calls, Has.Count.EqualTo(2));
            Assert.That(summarizer.Calls[1].Previous, Is.EqualTo(summarizer.Calls[0].Result));
            Assert.That(summarizer.Calls[1].Turns, Is.EqualTo(new[] { firstFolded.Length + 1, firstFolded.Length + 2 }));
            Assert.That(reduced[1].Text, Does.EndWith(summarizer.Calls[1].Result));
        });
    }

    [Test]
    public async Task ReduceAsync_FunctionCallsAndResults_StayWithTheirTurn()
    {
        var messages = Conversation(20);
        messages.Add(new ChatMessage(ChatRole.User, "What is the price?"));
        messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_price", new Dictionary<string, object?> { ["symbol"] = "BTC" })]));
        messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "97,000 USD")]));
        messages.Add(new ChatMessage(ChatRole.Assistant, "It is 97,000 USD."));

        var reduced = (await Reducer(1_000).ReduceAsync(messages, CancellationToken.None)).ToList();

        Assert.That(reduced.TakeLast(4), Is.EqualTo(messages.TakeLast(4)));
        Assert.That(reduced.Count(m => m.Contents.OfType<FunctionResultContent>().Any()), Is.EqualTo(1));
    }

    [Test]
    public async Task UseChatReducer_InAChatClientPipeline_TheModelSeesTheReducedList()
    {
        using var model = new FakeChatClient();
        using var client = model.AsBuilder().UseChatReducer(Reducer(1_000)).Build();
        var messages = Conversation(30);
        messages.Add(new ChatMessage(ChatRole.User, "And now?"));

        await client.GetResponseAsync(messages);
        var seen = model.Requests.Single();

        Assert.Multiple(() =>
        {
            Assert.That(seen.Count, Is.LessThan(messages.Count));
            Assert.That(Tokens(seen), Is.LessThanOrEqualTo(1_000));
            Assert.That(seen[1].Text, Does.StartWith("Summary of this conversation's earlier turns"));
            Assert.That(seen[^1].Text, Is.EqualTo("And now?"));
        });
    }

    [Test]
    public void ReduceAsync_NullMessages_Throws() =>
        Assert.That(() => Reducer(1_000).ReduceAsync(null!, CancellationToken.None), Throws.ArgumentNullException);

    private sealed class RecordingSummarizer : IRollingSummarizer
    {
        public List<(string? Previous, int[] Turns, string Result)> Calls { get; } = [];

        public ValueTask<string> FoldAsync(string? previousSummary, IReadOnlyList<Message> turns, int maxTokens, CancellationToken cancellationToken = default)
        {
            var result = previousSummary + string.Concat(turns.Select(t => $"[{t.Id}]"));
            Calls.Add((previousSummary, turns.Select(t => t.Id).ToArray(), result));
            return new(result);
        }
    }
}
