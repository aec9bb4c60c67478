using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Dexter.Sessions.Embeddings.Tests.Evaluation;

/// <summary>Measures recall@k of the referred turn: how often a selector puts it among the <c>k</c> turns given to the model.</summary>
internal static class RecallEvaluation
{
    public static async Task<double> RecallAtAsync(IMessageSelector selector, IReadOnlyList<RecallCase> cases, int k)
    {
        var hits = 0;
        foreach (var recallCase in cases)
        {
            var selected = (await selector.SelectAsync(new MessageSelectionContext(recallCase.FollowUp, recallCase.Turns, k))).Turns;
            if (selected.Any(turn => turn.Id == recallCase.Turns[recallCase.ReferredIndex].Id))
            {
                hits++;
            }
        }

        return (double)hits / cases.Count;
    }

    /// <summary>Attaches vectors to every turn once, as <see cref="EmbeddingMessageSelector.PrepareTurnAsync"/> does when turns are recorded.</summary>
    public static async Task<IReadOnlyList<RecallCase>> EmbedAsync(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<RecallCase> cases)
    {
        var selector = new EmbeddingMessageSelector(generator, Options.Create(new EmbeddingSelectorOptions()));
        var embedded = new List<RecallCase>(cases.Count);
        foreach (var recallCase in cases)
        {
            var turns = new List<Message>(recallCase.Turns.Count);
            foreach (var turn in recallCase.Turns)
            {
                turns.Add(await selector.PrepareTurnAsync(turn));
            }

            embedded.Add(recallCase with { Turns = turns });
        }

        return embedded;
    }
}
