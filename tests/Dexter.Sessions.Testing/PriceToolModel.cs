using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Testing;

/// <summary>
/// A fake model that calls a price tool: for a new question it asks for <c>get_price(symbol)</c>; once the result is in the
/// conversation it answers with it. Streams the same, as an update with the call or word by word.
/// </summary>
public static class PriceToolModel
{
    /// <summary>The name of the price tool.</summary>
    public const string ToolName = "get_price";

    /// <summary>Makes the model.</summary>
    public static FakeChatClient Create()
    {
        var model = new FakeChatClient();
        var calls = 0;
        model.OnGetResponse = (messages, _, _) =>
            Task.FromResult(new ChatResponse(Next(messages, ref calls)) { Usage = new UsageDetails { InputTokenCount = 7, OutputTokenCount = 3 } });
        model.OnGetStreamingResponse = (messages, _, cancellationToken) => Stream(Next(messages, ref calls), cancellationToken);
        return model;
    }

    /// <summary>A tool the function-invoking client runs: the price of a symbol.</summary>
    public static AIFunction PriceTool() => AIFunctionFactory.Create((string symbol) => symbol + " costs 64000 USD", ToolName, "Gets the price of a coin.");

    private static ChatMessage Next(IReadOnlyList<ChatMessage> messages, ref int calls)
    {
        var user = messages.Select((m, i) => (m, i)).Last(x => x.m.Role == ChatRole.User);
        var result = messages.Skip(user.i).SelectMany(m => m.Contents).OfType<FunctionResultContent>().LastOrDefault();
        if (result is null)
        {
            var id = "call-" + Interlocked.Increment(ref calls);
            return new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(id, ToolName, new Dictionary<string, object?> { ["symbol"] = "BTC" })]);
        }

        return new ChatMessage(ChatRole.Assistant, $"Price found: {result.Result}. You asked: {user.m.Text}");
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Stream(ChatMessage message, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (message.Contents.OfType<FunctionCallContent>().Any())
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, message.Contents);
            yield break;
        }

        await foreach (var update in FakeChatClient.StreamWords(message.Text, cancellationToken))
        {
            yield return update;
        }
    }
}
