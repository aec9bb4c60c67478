// The console sample: three questions about Bitcoin through DexterAgent, in one session.
//
//   dotnet run --project samples/Dexter.Sessions.ConsoleSample [-- --session <id>] [--question "…" …]
//
// With no settings it runs on embedded defaults: the in-memory store and the offline model.
//   OPENAI_API_KEY (+ OPENAI_BASE_URL, OPENAI_MODEL)  a real OpenAI-compatible model (OpenAI, Ollama, vLLM, LM Studio)
//   REDIS_URL=redis://localhost:6379/0               the Redis store: sessions survive the process (use --session to continue one)
//   DEXTER_POSTGRES_URL=postgres://user:pw@host/db    the PostgreSQL store (when REDIS_URL is not set); also an Npgsql connection string
//   DEXTER_SQLITE_PATH=sessions.db                    (no REDIS_URL nor DEXTER_POSTGRES_URL) the SQLite store: sessions kept in one local file
//   DEXTER_USE_EMBEDDINGS=true                        context turns ranked by embedding similarity too, with all-MiniLM-L6-v2 run
//                                                    in process: nothing is downloaded at run time, the model comes with the packages
//   DEXTER_SUMMARIZE_LLM=true                         summaries written by the model
//   DEXTER_ENCRYPT_AT_REST=true                       conversations encrypted in the store (Data Protection keys in
//                                                    DEXTER_KEYS_PATH, else Data Protection's default place)
using Dexter.Sessions;
using Dexter.Sessions.Embeddings;
using Dexter.Sessions.PostgreSql;
using Dexter.Sessions.Redis;
using Dexter.Sessions.Samples;
using Dexter.Sessions.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

string? sessionId = null;
var questions = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--session" when i + 1 < args.Length:
            sessionId = args[++i];
            break;
        case "--question" when i + 1 < args.Length:
            questions.Add(args[++i]);
            break;
        case "-h" or "--help":
            Console.WriteLine("Usage: Dexter.Sessions.ConsoleSample [--session <id>] [--question \"...\" ...]");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Use --help for the usage.");
            return 2;
    }
}

if (sessionId is not null && !SessionId.IsValid(sessionId))
{
    Console.Error.WriteLine($"'{sessionId}' is not a session id: use 1 to {SessionId.MaxLength} letters, digits, '-' or '_'.");
    return 2;
}

if (questions.Count == 0)
{
    questions.AddRange(["What is Bitcoin?", "Why is it valuable?", "How do miners earn rewards?"]);
}

// The bare variable names (REDIS_URL, DEXTER_*) are read because the sample opts in to them; the model is the
// offline one unless OPENAI_API_KEY is set (samples/Shared/SampleModel.cs).
var configuration = SampleModel.Configuration();
var services = SampleModel.Services(configuration);

// The session store, from the environment: the first one configured wins; none set: in memory.
var sessions = services.AddDexterSessions();
if (IsSet("Dexter:Sessions:Redis:Configuration"))               // REDIS_URL
{
    sessions.UseRedis();
}
else if (IsSet("Dexter:Sessions:PostgreSql:ConnectionString"))  // DEXTER_POSTGRES_URL
{
    sessions.UsePostgreSql();
}
else if (IsSet("Dexter:Sessions:Sqlite:Path"))                  // DEXTER_SQLITE_PATH
{
    sessions.UseSqlite();
}

sessions.UseEncryptionAtRestWhenConfigured();                   // DEXTER_ENCRYPT_AT_REST=true: content encrypted in the store
services.AddSampleDataProtection(configuration);
sessions.UseEmbeddingSelectorWhenConfigured();                  // DEXTER_USE_EMBEDDINGS=true: relevant turns by embeddings too
if (SampleModel.UseEmbeddings(configuration))
{
    // The embeddings, computed by all-MiniLM-L6-v2 in process. Registered only when they are on, as the selection uses a
    // registered embedding generator whenever there is one.
    services.AddMiniLMEmbeddingGenerator();
}

await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
DexterAgent agent;
ISessionStore store;
try
{
    // Options are validated here, when first needed: a bad setting stops the sample before any question.
    agent = provider.GetRequiredService<DexterAgent>();
    store = provider.GetRequiredService<ISessionStore>();
}
catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
{
    Console.Error.WriteLine("Configuration error: " + ex.Message);
    return 2;
}

// The agent rejects an empty or overlong query with an ArgumentException; check them all before the first one runs.
var maxQueryLength = provider.GetRequiredService<IOptions<DexterSessionsOptions>>().Value.MaxQueryLength;
if (questions.Find(q => string.IsNullOrWhiteSpace(q) || q.Length > maxQueryLength) is { } badQuestion)
{
    Console.Error.WriteLine(string.IsNullOrWhiteSpace(badQuestion)
        ? "A --question is empty: give the question's text."
        : $"A --question has {badQuestion.Length} characters; at most {maxQueryLength} are accepted (Dexter:Sessions:MaxQueryLength).");
    return 2;
}

sessionId ??= SessionId.New();

Console.WriteLine($"Session: {sessionId}");
Console.WriteLine($"Model:   {SampleModel.Describe(configuration)}");
Console.WriteLine($"Store:   {SampleStores.Describe(store, typeof(RedisSessionStore), typeof(PostgreSqlSessionStore), typeof(SqliteSessionStore), typeof(InMemorySessionStore))}");
var selector = provider.GetRequiredService<IMessageSelector>();
var embeddings = selector switch
{
    RelevanceMessageSelector relevance => relevance.Generator,
    EmbeddingMessageSelector similarity => similarity.Generator,
    _ => null,
};
Console.WriteLine($"Context: {selector.GetType().Name}{(embeddings is null ? "" : $" ({embeddings.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId} embeddings)")}");
if (embeddings is not null)
{
    // The embedding model is loaded now, before the first question, rather than while the first answer is printed; its load
    // is logged with the time it took.
    try
    {
        await embeddings.GenerateAsync(["What is Bitcoin?"]);
    }
    catch (Exception ex) when (ex is not OperationCanceledException)
    {
        Console.Error.WriteLine("The embedding model could not be loaded: " + ex.Message);
        return 1;
    }
}

Console.WriteLine();

try
{
    foreach (var question in questions)
    {
        Console.WriteLine($"Q: {question}");
        Console.Write("A: ");
        await foreach (var update in agent.RunStreamingAsync(question, sessionId))
        {
            if (update.Kind == DexterAgentUpdateKind.Token)
            {
                Console.Write(update.Text);
            }
        }

        Console.WriteLine();
        Console.WriteLine();
    }

    var history = await store.GetAsync(sessionId) ?? new MessageHistory();
    Console.WriteLine($"Total turns: {history.Count}");
    foreach (var turn in history.GetAll())
    {
        Console.WriteLine($"Turn {turn.Id}: {turn.Summary}");
    }
}
catch (SessionStoreUnavailableException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

return 0;

bool IsSet(string key) => !string.IsNullOrWhiteSpace(configuration[key]);

