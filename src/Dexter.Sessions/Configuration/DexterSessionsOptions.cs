namespace Dexter.Sessions;

/// <summary>
/// Settings of Dexter.Sessions, bound from the configuration section <see cref="SectionName"/> of the application's
/// <c>IConfiguration</c> (nothing is bound when none is registered).
/// </summary>
/// <remarks>
/// The environment variables (<c>DEXTER_MAX_CONTEXT_MESSAGES</c>, <c>DEXTER_SUMMARIZE_LLM</c>,
/// <c>DEXTER_USE_EMBEDDINGS</c>, <c>DEXTER_SESSION_TTL_SECONDS</c>) count only where the application calls
/// <c>configuration.AddDexterSessionsEnvironmentVariables()</c>, and a key of the section wins over them; code given to
/// <c>AddDexterSessions(configure)</c> runs last. Values are validated when the application starts.
/// </remarks>
public sealed class DexterSessionsOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Dexter:Sessions";

    /// <summary>The default of <see cref="MaxContextMessages"/>.</summary>
    public const int DefaultMaxContextMessages = 10;

    /// <summary>The default of <see cref="RollingSummaryMaxTokens"/>.</summary>
    public const int DefaultRollingSummaryMaxTokens = 1_000;

    /// <summary>The least <see cref="RollingSummaryMaxTokens"/> accepted.</summary>
    public const int MinRollingSummaryMaxTokens = 32;

    /// <summary>The default of <see cref="SummaryQueueCapacity"/>.</summary>
    public const int DefaultSummaryQueueCapacity = 1_000;

    /// <summary>The default of <see cref="MaxContextTokens"/>.</summary>
    public const int DefaultMaxContextTokens = 4_000;

    /// <summary>The least <see cref="MaxContextTokens"/> accepted.</summary>
    public const int MinMaxContextTokens = 64;

    /// <summary>The default of <see cref="MaxQueryLength"/>.</summary>
    public const int DefaultMaxQueryLength = 8_000;

    /// <summary>
    /// Gets or sets the recent window: how many of the latest turns are kept as they are, before older ones are folded into the
    /// rolling summary; with <see cref="SessionSelection.Recent"/> selection, how many past turns the model receives at most.
    /// </summary>
    /// <value>
    /// At least 1; the default is 10. Key <c>Dexter:Sessions:MaxContextMessages</c>, or <c>DEXTER_MAX_CONTEXT_MESSAGES</c>. With the
    /// default <see cref="SessionSelection.Relevance"/> selection every turn is ranked and <see cref="MaxContextTokens"/> decides how
    /// many the model receives (<see cref="RelevanceSelectorOptions.MaxTurns"/> caps them).
    /// </value>
    public int MaxContextMessages { get; set; } = DefaultMaxContextMessages;

    /// <summary>Gets or sets how the past turns given to the model are chosen, when the application registers no <see cref="IMessageSelector"/>.</summary>
    /// <value>The default is <see cref="SessionSelection.Relevance"/>. Key <c>Dexter:Sessions:Selection</c> (<c>Relevance</c>, <c>Recent</c> or <c>Embeddings</c>).</value>
    public SessionSelection Selection { get; set; }

    /// <summary>Gets or sets whether turn summaries are written by the model (<see cref="ChatClientSummarizer"/>) instead of by truncation.</summary>
    /// <value>The default is <see langword="false"/>. Key <c>Dexter:Sessions:SummarizeWithLlm</c>, or <c>DEXTER_SUMMARIZE_LLM</c>.</value>
    public bool SummarizeWithLlm { get; set; }

    /// <summary>
    /// Gets or sets whether the selection compares embeddings: with package Dexter.Sessions.Embeddings's
    /// <c>UseEmbeddingSelectorWhenConfigured()</c>, the relevance ranking fuses vector similarity (from the registered embedding
    /// generator, or an offline hashing one) with its lexical relevance.
    /// </summary>
    /// <value>The default is <see langword="false"/>. Key <c>Dexter:Sessions:UseEmbeddings</c>, or <c>DEXTER_USE_EMBEDDINGS</c>.</value>
    public bool UseEmbeddings { get; set; }

    /// <summary>Gets or sets how long a session lives after its last write; every write starts it again.</summary>
    /// <value>Positive; the default is 24 hours (86,400 s). Key <c>Dexter:Sessions:SessionTtl</c> (a time span such as <c>1.00:00:00</c>), or <c>Dexter:Sessions:SessionTtlSeconds</c> (<c>DEXTER_SESSION_TTL_SECONDS</c>).</value>
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets how long the model may take to write a summary before the summary falls back to truncation.</summary>
    /// <value>Positive; the default is 10 seconds. Key <c>Dexter:Sessions:SummarizerTimeout</c>.</value>
    public TimeSpan SummarizerTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the longest query accepted, in characters.</summary>
    /// <value>At least 1; the default is 8,000. Key <c>Dexter:Sessions:MaxQueryLength</c>.</value>
    public int MaxQueryLength { get; set; } = DefaultMaxQueryLength;

    /// <summary>Gets or sets instructions given to the model as a system message before the context of every turn.</summary>
    /// <value>The default is <see langword="null"/>: none. Key <c>Dexter:Sessions:Instructions</c>.</value>
    public string? Instructions { get; set; }

    /// <summary>Gets or sets how the selected past turns are given to the model.</summary>
    /// <value>The default is <see cref="SessionContextMode.Text"/>, one text block of the selected turns. Key <c>Dexter:Sessions:ContextMode</c>.</value>
    public SessionContextMode ContextMode { get; set; } = SessionContextMode.Text;

    /// <summary>
    /// Gets or sets the service key of the <see cref="Microsoft.Extensions.AI.IChatClient"/> that <see cref="DexterAgent"/> and
    /// the summarizer use, for apps that register their models with <c>AddKeyedChatClient(key, …)</c>.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the unkeyed <see cref="Microsoft.Extensions.AI.IChatClient"/>. Key <c>Dexter:Sessions:ChatClientKey</c>.</value>
    public string? ChatClientKey { get; set; }

    /// <summary>
    /// Gets or sets how many tokens the context given to the model may take at most: the instructions, then the selected past
    /// turns, each message counted as its text's tokens plus <see cref="ContextBudget.TokensPerMessage"/>.
    /// </summary>
    /// <value>
    /// At least 64; the default is 4,000. Key <c>Dexter:Sessions:MaxContextTokens</c>, or <c>DEXTER_MAX_CONTEXT_TOKENS</c>. When the
    /// selected turns do not fit, the least relevant are left out; the most relevant is cut at a token boundary, with a marker.
    /// </value>
    public int MaxContextTokens { get; set; } = DefaultMaxContextTokens;

    /// <summary>Gets or sets the tokenizer that counts <see cref="MaxContextTokens"/>.</summary>
    /// <value>The default is <see langword="null"/>: Tiktoken <c>o200k_base</c> (the GPT-4o family's), from Microsoft.ML.Tokenizers.</value>
    public Microsoft.ML.Tokenizers.Tokenizer? Tokenizer { get; set; }

    /// <summary>
    /// Gets or sets whether conversation content is encrypted in the session store, where the application calls
    /// <c>UseEncryptionAtRestWhenConfigured()</c> (<see cref="EncryptingSessionStore"/>).
    /// </summary>
    /// <value>The default is <see langword="false"/>. Key <c>Dexter:Sessions:EncryptAtRest</c>, or <c>DEXTER_ENCRYPT_AT_REST</c>.</value>
    public bool EncryptAtRest { get; set; }

    /// <summary>
    /// Gets or sets whether the turns that leave the recent window (older than the latest turns the selector reads) are folded into
    /// one summary of the session, kept with the session and given to the model first in the context.
    /// </summary>
    /// <value>
    /// The default is <see langword="true"/>. Key <c>Dexter:Sessions:RollingSummary</c>, or <c>DEXTER_ROLLING_SUMMARY</c>. The summary is
    /// written by the model (<see cref="IRollingSummarizer"/>) when <see cref="SummarizeWithLlm"/> is on, else by
    /// <see cref="ExtractiveRollingSummarizer"/>; it is updated from the previous summary and the turns that left the window only.
    /// </value>
    public bool RollingSummary { get; set; } = true;

    /// <summary>Gets or sets how many tokens the rolling summary of a session may take at most.</summary>
    /// <value>
    /// At least 32; the default is 1,000. Key <c>Dexter:Sessions:RollingSummaryMaxTokens</c>, or <c>DEXTER_ROLLING_SUMMARY_MAX_TOKENS</c>.
    /// In the context it also takes at most half of what <see cref="MaxContextTokens"/> leaves after the instructions.
    /// </value>
    public int RollingSummaryMaxTokens { get; set; } = DefaultRollingSummaryMaxTokens;

    /// <summary>
    /// Gets or sets whether the work after a recorded turn — the model's summary of the turn and the rolling summary — is done by the
    /// background <see cref="SessionSummaryWorker"/>, so the turn is recorded (and answered) without waiting for it.
    /// </summary>
    /// <value>
    /// The default is <see langword="true"/>. Key <c>Dexter:Sessions:BackgroundSummaries</c>. It applies where the worker exists: a
    /// <see cref="SessionTurnPipeline"/> from <c>AddDexterSessions()</c>, or one given a worker. Otherwise that work is done before
    /// the turn is returned.
    /// </value>
    public bool BackgroundSummaries { get; set; } = true;

    /// <summary>
    /// Gets or sets whether a streamed turn that the caller stops after the model wrote some text — a cancelled token, a client that
    /// disconnects, a stream left before its end — is recorded with the answer so far, marked <see cref="Message.Interrupted"/>.
    /// </summary>
    /// <value>
    /// The default is <see langword="true"/>. Key <c>Dexter:Sessions:RecordInterruptedTurns</c>, or <c>DEXTER_RECORD_INTERRUPTED_TURNS</c>.
    /// With <see langword="false"/> a stopped turn records nothing. A model that fails (rather than being stopped) records nothing
    /// either way, and so does a stop before the model wrote any text.
    /// </value>
    public bool RecordInterruptedTurns { get; set; } = true;

    /// <summary>Gets or sets how many pieces of background summary work may wait; a turn that finds the queue full waits for room.</summary>
    /// <value>At least 1; the default is 1,000. Key <c>Dexter:Sessions:SummaryQueueCapacity</c>.</value>
    public int SummaryQueueCapacity { get; set; } = DefaultSummaryQueueCapacity;
}
