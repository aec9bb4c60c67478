using System.Diagnostics;
using System.Globalization;
using Dexter.Sessions.Evaluation.Tests.Conversations;
using Dexter.Sessions.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Dexter.Sessions.Evaluation.Tests.Retrieval;

/// <summary>
/// Runs one configuration at several budgets over generated conversations, through the real <see cref="DexterAgent"/>: every turn
/// is recorded as an application records it, at its time, with the model's scripted answer; then each question begins a turn that
/// is handed to the model and disposed without completing, so nothing is recorded, and the messages the model received are checked
/// for the question's evidence.
/// </summary>
/// <remarks>
/// An evidence turn counts as present when its user message appears, whole, in the text of the messages the model received: the
/// default <see cref="SessionContextMode.Text"/> context puts the turns into one system message, <see cref="SessionContextMode.Messages"/>
/// replays them as messages, and the rolling summary is one more system message; their texts are searched together. A user
/// message is never cut to fit the budget (only answers are), so a turn given at all is found.
/// </remarks>
internal static class RetrievalEvaluation
{
    /// <summary>The budgets every configuration is evaluated at.</summary>
    public static readonly int[] Budgets = [1_000, 2_000, 4_000];

    /// <summary>Runs <paramref name="configuration"/> at each of <paramref name="budgets"/> over <paramref name="conversations"/>.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="budgets">The budgets.</param>
    /// <param name="conversations">The conversations.</param>
    /// <param name="sharedModel">The embedding model the configurations share, if any: the model time of the vectors it serves from
    /// memory is added to the times, which are then those of a run without it.</param>
    /// <returns>One result per budget, in the order of <paramref name="budgets"/>.</returns>
    public static async Task<IReadOnlyList<RetrievalResult>> RunAsync(
        RetrievalConfiguration configuration, IReadOnlyList<int> budgets, IReadOnlyList<Conversation> conversations, TurnVectorCache? sharedModel = null)
    {
        var outcomes = budgets.Select(_ => new List<QuestionOutcome>()).ToArray();
        var recording = TimeSpan.Zero;
        foreach (var conversation in conversations)
        {
            recording += await RunAsync(configuration, budgets, conversation, outcomes, sharedModel);
        }

        var turns = conversations.Sum(c => c.Turns.Count);
        return [.. budgets.Select((budget, i) => new RetrievalResult(configuration.Name, budget, outcomes[i], turns, recording.TotalMilliseconds))];
    }

    /// <summary>
    /// Records <paramref name="conversation"/> through the agent of the first budget, then asks its questions through the agent of
    /// each budget. What is recorded does not depend on the budget (it shapes only the context given to the model), so the agents of
    /// the other budgets read the same store — and the same rolling summary — instead of recording the conversation again.
    /// </summary>
    /// <returns>The time spent recording.</returns>
    private static async Task<TimeSpan> RunAsync(
        RetrievalConfiguration configuration, IReadOnlyList<int> budgets, Conversation conversation, List<QuestionOutcome>[] outcomes, TurnVectorCache? sharedModel)
    {
        TimeSpan ServedModelTime() => sharedModel?.ServedModelTime ?? TimeSpan.Zero;
        var time = new FakeTimeProvider(conversation.Turns[0].At.AddMinutes(-1));
        using var model = new FakeChatClient();
        var answer = string.Empty;
        IReadOnlyList<ChatMessage> received = [];
        model.OnGetResponse = (messages, _, _) =>
        {
            received = messages;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)));
        };

        var sessionId = "evaluation-" + conversation.Name.Replace(' ', '-');
        await using var recorder = BuildProvider(configuration, budgets[0], time, model, store: null);
        var agent = recorder.GetRequiredService<DexterAgent>();
        var recording = Stopwatch.StartNew();
        var modelTimeBefore = ServedModelTime();
        var summaries = new string[conversation.Turns.Count];
        foreach (var turn in conversation.Turns)
        {
            time.SetUtcNow(turn.At);
            answer = turn.Answer;
            var response = await agent.RunAsync(turn.User, sessionId);
            if (response.Turn.Id != turn.Id || response.Turn.CreatedAt != turn.At)
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{conversation.Name}: turn {turn.Id} at {turn.At:O} was recorded as turn {response.Turn.Id} at {response.Turn.CreatedAt:O}."));
            }

            summaries[turn.Id - 1] = response.Turn.Summary;
        }

        recording.Stop();
        var recordingTime = recording.Elapsed + (ServedModelTime() - modelTimeBefore);
        time.SetUtcNow(conversation.AskedAt);
        answer = "I will check.";
        var store = recorder.GetRequiredService<ISessionStore>();
        for (var b = 0; b < budgets.Count; b++)
        {
            await using var asker = b == 0 ? null : BuildProvider(configuration, budgets[b], time, model, store);
            var pipeline = (asker ?? recorder).GetRequiredService<SessionTurnPipeline>();
            foreach (var question in conversation.Questions)
            {
                var watch = Stopwatch.StartNew();
                var questionModelTimeBefore = ServedModelTime();
                int contextTurns;
                using (var turn = await pipeline.BeginTurnAsync(sessionId, [new ChatMessage(ChatRole.User, question.Text)]))
                {
                    contextTurns = turn.Context.Count;
                    await model.GetResponseAsync(turn.CreateModelInput());
                }

                watch.Stop();
                var elapsed = watch.Elapsed + (ServedModelTime() - questionModelTimeBefore);
                var context = received.Take(received.Count - 1).ToList(); // everything before the question
                var text = string.Join('\n', context.Select(m => m.Text));
                bool Present(int turnId) => text.Contains(conversation.Turn(turnId).User, StringComparison.Ordinal);
                var answered = question.Evidence.All(e => Present(e.TurnId));
                outcomes[b].Add(new QuestionOutcome(
                    question.Kind,
                    answered,
                    StaleOnly: !answered && question.StaleTurnIds.Any(Present),
                    FactsInSummaries: question.Evidence.All(e => ConversationGenerator.States(summaries[e.TurnId - 1], e.Fact)),
                    ContextBudget.CountTokens(ContextBudget.DefaultTokenizer, context),
                    contextTurns,
                    elapsed.TotalMilliseconds));
            }
        }

        return recordingTime;
    }

    /// <summary>The services of an application configured as <paramref name="configuration"/> says, with the fake clock and model.</summary>
    /// <param name="store">A store to use instead of the one the configuration registers; <see langword="null"/> for that one.</param>
    private static ServiceProvider BuildProvider(RetrievalConfiguration configuration, int budget, TimeProvider time, IChatClient model, ISessionStore? store)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddSingleton(model);
        if (store is not null)
        {
            services.AddSingleton(store); // registered as an instance: the provider that made it disposes it
        }

        configuration.Register(services);
        services.AddDexterSessions(options =>
        {
            options.MaxContextTokens = budget;
            options.BackgroundSummaries = false; // the rolling summary is written before each turn returns: the same on every run
            options.SessionTtl = TimeSpan.FromDays(3_650); // the conversations span months of the fake clock
        });
        var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value; // validated, as at start
        return provider;
    }
}
