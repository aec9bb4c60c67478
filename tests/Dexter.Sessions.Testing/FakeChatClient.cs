using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.Testing;

/// <summary>
/// A hand-written <see cref="IChatClient"/> for tests: records every request and answers through replaceable callbacks.
/// By default it answers "Answer to: {last user message}" and streams that answer word by word.
/// </summary>
public sealed class FakeChatClient : IChatClient
{
    private readonly ConcurrentQueue<IReadOnlyList<ChatMessage>> _requests = new();

    /// <summary>Gets or sets the non-streaming answer; receives the messages, options and token.</summary>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>>? OnGetResponse { get; set; }

    /// <summary>Gets or sets the streaming answer; receives the messages, options and token.</summary>
    public Func<IReadOnlyList<ChatMessage>, ChatOptions?, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>>? OnGetStreamingResponse { get; set; }

    /// <summary>Gets every request received, in order.</summary>
    public IReadOnlyList<IReadOnlyList<ChatMessage>> Requests => _requests.ToArray();

    /// <summary>Gets the options of the last request.</summary>
    public ChatOptions? LastOptions { get; private set; }

    /// <summary>The default answer to a conversation.</summary>
    public static string DefaultAnswer(IReadOnlyList<ChatMessage> messages) =>
        "Answer to: " + messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text;

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        _requests.Enqueue(list);
        LastOptions = options;
        return OnGetResponse is not null
            ? OnGetResponse(list, options, cancellationToken)
            : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, DefaultAnswer(list)))
            {
                Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 },
            });
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        _requests.Enqueue(list);
        LastOptions = options;
        return OnGetStreamingResponse is not null
            ? OnGetStreamingResponse(list, options, cancellationToken)
            : StreamWords(DefaultAnswer(list), cancellationToken);
    }

    /// <summary>Streams <paramref name="text"/> as one update per word (spaces kept with the words).</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> StreamWords(string text, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var words = text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, i == 0 ? words[i] : " " + words[i]);
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
