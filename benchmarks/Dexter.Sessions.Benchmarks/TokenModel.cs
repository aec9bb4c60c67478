using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Benchmarks;

/// <summary>A model that streams a fixed answer at once, token by token, so a benchmark measures only what wraps it.</summary>
public sealed class TokenModel : IChatClient
{
    private static readonly string[] Tokens = ["Bitcoin", " is", " a", " decentralized", " digital", " currency", " with", " a", " capped", " supply", "."];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, string.Concat(Tokens))));

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var token in Tokens)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, token);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
