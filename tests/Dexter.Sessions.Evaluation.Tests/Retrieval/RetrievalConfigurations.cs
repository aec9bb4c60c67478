using Dexter.Sessions.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.Evaluation.Tests.Retrieval;

/// <summary>The configurations the evaluation compares; a new one is one more line.</summary>
internal static class RetrievalConfigurations
{
    public const string SdkDefaults = "SDK defaults";
    public const string SdkDefaultsNoSummary = "SDK defaults, no rolling summary";
    public const string RecencyLast10 = "recency, last 10";
    public const string RecencyToBudget = "recency, to the budget";
    public const string Bm25Alone = "BM25 alone";
    public const string VectorsHashing = "vectors, hashing";
    public const string VectorsMiniLM = "vectors, MiniLM";
    public const string EmbeddingSelector = "embedding selector";
    public const string DefaultsHashing = "SDK defaults + hashing vectors";
    public const string DefaultsMiniLM = "SDK defaults + MiniLM";

    /// <summary>
    /// More turns than the largest budget holds (about 100 at 4,000 tokens), so the budget decides how many are given; and fewer than
    /// a conversation has (250 or more), because a selector given no more candidates than <see cref="DexterSessionsOptions.MaxContextMessages"/>
    /// returns them all unranked, and the budget then keeps the latest: with 1,000 every selector would measure as recency.
    /// </summary>
    private const int BudgetDecides = 200;

    /// <summary>Gets the configurations; <paramref name="miniLM"/> is the one MiniLM model they share.</summary>
    public static IReadOnlyList<RetrievalConfiguration> All(IEmbeddingGenerator<string, Embedding<float>> miniLM) =>
    [
        new(SdkDefaults, services => services.AddDexterSessions()),
        new(SdkDefaultsNoSummary, services => services.AddDexterSessions(o => o.RollingSummary = false)),
        new(RecencyLast10, services => services.AddSingleton<IMessageSelector>(RecentMessageSelector.Instance)),
        new(RecencyToBudget, services => services.AddSingleton<IMessageSelector>(RecentMessageSelector.Instance).AddDexterSessions(o => o.MaxContextMessages = BudgetDecides)),
        new(Bm25Alone, services => services.AddDexterSessions(BudgetDecidesAlone).UseLexicalSelector(o => o.AlwaysIncludeLatest = 2)),
        new(VectorsHashing, services => services.AddDexterSessions(BudgetDecidesAlone).UseEmbeddingSelector(ByCosineOnly)),
        new(VectorsMiniLM, services => services.AddSingleton(miniLM).AddDexterSessions(BudgetDecidesAlone).UseEmbeddingSelector(ByCosineOnly)),
        new(EmbeddingSelector, services => services.AddSingleton(miniLM).AddDexterSessions(o =>
        {
            o.Selection = SessionSelection.Embeddings;
            o.RollingSummary = false;   // the selector alone, without a rolling summary
        }).UseEmbeddingSelectorWhenConfigured()),
        new(DefaultsHashing, services => services.AddDexterSessions(o => o.UseEmbeddings = true).UseEmbeddingSelectorWhenConfigured()),
        new(DefaultsMiniLM, services => services.AddSingleton(miniLM).AddDexterSessions()),
    ];

    /// <summary>A baseline alone: the budget decides how many turns, and no rolling summary shares it.</summary>
    private static void BudgetDecidesAlone(DexterSessionsOptions options)
    {
        options.MaxContextMessages = BudgetDecides;
        options.RollingSummary = false;
    }

    /// <summary>Every turn ranked by its cosine alone: no threshold, no recency.</summary>
    private static void ByCosineOnly(EmbeddingSelectorOptions options)
    {
        options.SimilarityThreshold = -1;
        options.RecencyWeight = 0;
    }
}
