using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Dexter.Sessions;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace Dexter.Sessions.AgentFramework;

/// <summary>
/// An agent over a <see cref="ChatClientAgent"/> that uses <see cref="DexterChatHistoryProvider"/>: it watches each streamed run, and
/// when the caller stops it after the model wrote some text — a cancelled token, or the stream left before its end — the turn is
/// recorded with that text, marked <see cref="Message.Interrupted"/> (<see cref="DexterSessionsOptions.RecordInterruptedTurns"/>).
/// Agent Framework tells history providers of a cancelled run without what was streamed, and of a stream left early not at all.
/// </summary>
internal sealed class InterruptedTurnAgent(AIAgent innerAgent, DexterChatHistoryProvider provider) : DelegatingAIAgent(innerAgent)
{
    protected override async IAsyncEnumerable<AgentResponseUpdate> RunCoreStreamingAsync(
        IEnumerable<ChatMessage> messages, AgentSession? session = null, AgentRunOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var capture = new InterruptedTurnCapture();
        IAsyncEnumerator<AgentResponseUpdate>? stream = null;
        var ended = false;
        try
        {
            while (true)
            {
                OperationCanceledException? stopped = null;
                try
                {
                    if (stream is null)
                    {
                        InterruptedTurnCapture.SetCurrent(capture); // the provider finds it while the run starts in this flow
                        stream = InnerAgent.RunStreamingAsync(messages, session, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    }

                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        ended = true;
                        break;
                    }
                }
                catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
                {
                    stopped = ex;
                }
                catch (Exception ex)
                {
                    ended = true;
                    provider.Fail(capture, ex, cancellationToken); // a failure, not a stop: nothing is recorded
                    throw;
                }
                finally
                {
                    InterruptedTurnCapture.SetCurrent(null);
                }

                if (stopped is not null)
                {
                    ended = true;
                    var recorded = await provider.InterruptAsync(capture).ConfigureAwait(false);
                    if (recorded is null)
                    {
                        ExceptionDispatchInfo.Throw(stopped);
                    }

                    throw new TurnInterruptedException(recorded, session?.GetDexterSessionId(), stopped, cancellationToken);
                }

                if (stream!.Current.Text is { Length: > 0 } text)
                {
                    capture.Text.Add(text);
                }

                yield return stream.Current;
            }
        }
        finally
        {
            try
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                if (!ended)
                {
                    await provider.InterruptAsync(capture).ConfigureAwait(false); // left before its end: a stop
                }
            }
        }
    }
}
