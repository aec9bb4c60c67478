using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Samples;

/// <summary>
/// A small deterministic model that runs with no server and no key, so the samples work anywhere.
/// </summary>
/// <remarks>
/// It knows a few facts (about Bitcoin, the samples' topic), names the earlier questions it was given as context, so a
/// reader sees context flow from turn to turn, and streams its answer word by word. Asked for a summary, it writes one.
/// Offered a tool named <see cref="PriceToolName"/> (as the Agent Framework sample does), it calls it once for a question
/// about value or price, and answers with the result. Switch to a real model with OPENAI_API_KEY (see README.md).
/// </remarks>
public sealed class OfflineChatClient : IChatClient
{
    /// <summary>The name of the price tool the model calls when it is offered one: <c>get_price(symbol)</c>.</summary>
    public const string PriceToolName = "get_price";

    private static readonly string[] PriceKeywords = ["valuable", "value", "worth", "price", "cost"];

    private static readonly (string[] Keywords, string Fact)[] Facts =
    [
        (["bitcoin", "btc"], "Bitcoin is a decentralized digital currency, created in 2009, whose transactions are recorded on a public ledger called the blockchain."),
        (["valuable", "value", "worth", "price"], "Its value comes from a supply capped at 21 million coins, from the cost of producing new ones, and from people's willingness to hold and exchange it."),
        (["miner", "mining", "reward", "earn"], "Miners earn newly created bitcoins (the block subsidy) plus the fees of the transactions they include when they find a valid block by proof of work."),
        (["blockchain", "ledger"], "A blockchain is an append-only chain of blocks, each linked to the one before by a cryptographic hash."),
        (["halving"], "Every 210,000 blocks, about every four years, the block subsidy is halved."),
        (["wallet", "key"], "A wallet keeps the private keys that sign transactions; whoever holds the keys controls the coins."),
    ];

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var list = messages.ToList();
        if (ToolCall(list, options) is { } call)
        {
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [call])) { ModelId = "offline" });
        }

        var text = Answer(list);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = "offline",
            Usage = new UsageDetails { InputTokenCount = CountWords(messages), OutputTokenCount = CountWords(text) },
        });
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        if (ToolCall(list, options) is { } call)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, [call]) { ModelId = "offline" };
            yield break;
        }

        var words = Answer(list).Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Delay(15, cancellationToken).ConfigureAwait(false); // a visible stream, like a real model's
            yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? words[i] : " " + words[i]) { ModelId = "offline" };
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("offline", defaultModelId: "offline")
        : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static string Answer(IReadOnlyList<ChatMessage> messages)
    {
        var query = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        var system = string.Join("\n", messages.Where(m => m.Role == ChatRole.System).Select(m => m.Text));

        if (system.StartsWith("Summarize", StringComparison.Ordinal))
        {
            return Summarize(query);
        }

        var earlier = system.Split('\n')
            .Where(line => line.StartsWith("- User: ", StringComparison.Ordinal))
            .Select(line => line["- User: ".Length..].Trim())
            .ToList();

        var answer = new StringBuilder();
        if (earlier.Count > 0)
        {
            answer.Append("Following up on your earlier question").Append(earlier.Count > 1 ? "s " : " ")
                .AppendJoin(", ", earlier.Select(q => "\"" + q + "\"")).Append(": ");
        }

        var facts = FindFacts(query);
        if (facts.Count == 0 && earlier.Count > 0)
        {
            // "it", "they"… refer back to the conversation: answer about its subject.
            facts = FindFacts(earlier[^1]);
        }

        var toolResult = ResultSinceQuestion(messages);
        if (toolResult is not null)
        {
            facts.Add("The price tool says: " + toolResult + ".");
        }

        if (facts.Count == 0)
        {
            answer.Append("I am the offline sample model and know only a little about Bitcoin; I cannot answer \"").Append(query).Append("\" well. Set OPENAI_API_KEY to use a real model.");
        }
        else
        {
            answer.AppendJoin(" ", facts);
        }

        return answer.ToString();
    }

    /// <summary>A call of the price tool, when it is offered, the question is about value or price, and no result is in yet.</summary>
    private static FunctionCallContent? ToolCall(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        if (options?.Tools?.Any(t => t.Name == PriceToolName) != true || ResultSinceQuestion(messages) is not null)
        {
            return null;
        }

        var query = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text.ToLowerInvariant() ?? string.Empty;
        return PriceKeywords.Any(k => query.Contains(k, StringComparison.Ordinal))
            ? new FunctionCallContent("call_" + messages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), PriceToolName, new Dictionary<string, object?> { ["symbol"] = "BTC" })
            : null;
    }

    /// <summary>The result of a tool call made for the last user message, if any.</summary>
    private static string? ResultSinceQuestion(IReadOnlyList<ChatMessage> messages)
    {
        var userIndex = messages.Count - 1;
        while (userIndex >= 0 && messages[userIndex].Role != ChatRole.User)
        {
            userIndex--;
        }

        return messages.Skip(userIndex + 1).SelectMany(m => m.Contents).OfType<FunctionResultContent>().LastOrDefault()?.Result?.ToString();
    }

    private static List<string> FindFacts(string text)
    {
        var lower = text.ToLowerInvariant();
        return Facts.Where(f => f.Keywords.Any(k => lower.Contains(k, StringComparison.Ordinal))).Select(f => f.Fact).ToList();
    }

    private static string Summarize(string prompt)
    {
        // The summarizer sends "Question: …\nAnswer: …".
        var question = prompt.Split('\n').FirstOrDefault(l => l.StartsWith("Question: ", StringComparison.Ordinal))?["Question: ".Length..].Trim() ?? prompt;
        var summary = "Asked \"" + question + "\"; answered from the offline facts.";
        return summary.Length <= 100 ? summary : summary[..97] + "...";
    }

    private static int CountWords(IEnumerable<ChatMessage> messages) => messages.Sum(m => CountWords(m.Text));

    private static int CountWords(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
