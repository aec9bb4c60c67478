// The Agent Framework sample: a ChatClientAgent with one tool (a price lookup) whose chat history is Dexter.Sessions, asked
// three questions about Bitcoin in one agent session.
//
//   dotnet run --project samples/Dexter.Sessions.AgentFrameworkSample [-- --session-file <path>] [--question "…" …]
//
// With no settings it runs on embedded defaults: the in-memory store and the offline model (which calls the tool).
//   OPENAI_API_KEY (+ OPENAI_BASE_URL, OPENAI_MODEL)  a real OpenAI-compatible model
//   REDIS_URL=redis://localhost:6379/0               the Redis store; with --session-file the agent session is saved with
//                                                    Agent Framework's own serialization and the next run continues it
//   DEXTER_SUMMARIZE_LLM=true                         summaries written by the model
//   DEXTER_ENCRYPT_AT_REST=true                       conversations (tool calls included) encrypted in the store (Data
//                                                    Protection keys in DEXTER_KEYS_PATH, else Data Protection's default place)
using System.ComponentModel;
using System.Text.Json;
using Dexter.Sessions;
using Dexter.Sessions.Redis;
using Dexter.Sessions.Samples;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

string? sessionFile = null;
var questions = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--session-file" when i + 1 < args.Length:
            sessionFile = args[++i];
            break;
        case "--question" when i + 1 < args.Length:
            questions.Add(args[++i]);
            break;
        case "-h" or "--help":
            Console.WriteLine("Usage: Dexter.Sessions.AgentFrameworkSample [--session-file <path>] [--question \"...\" ...]");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Use --help for the usage.");
            return 2;
    }
}

if (questions.Count == 0)
{
    questions.AddRange(["What is Bitcoin?", "Why is it valuable?", "How do miners earn rewards?"]);
}

// The bare variable names (REDIS_URL, DEXTER_*) are read because the sample opts in to them; the model is the
// offline one unless OPENAI_API_KEY is set (samples/Shared/SampleModel.cs).
var configuration = SampleModel.Configuration();
var services = SampleModel.Services(configuration);

services.AddSampleDataProtection(configuration);
services.AddDexterSessions()
    .UseRedisWhenConfigured()     // REDIS_URL set: Redis; otherwise in memory
    .UseEncryptionAtRestWhenConfigured()  // DEXTER_ENCRYPT_AT_REST=true: content encrypted in the store
    .AddAgentFramework();         // the Agent Framework history provider over the store above

await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
ChatClientAgent agent;
try
{
    // The one line that makes Dexter.Sessions the agent's chat history: .UseDexterSessions(provider).
    agent = provider.GetRequiredService<IChatClient>().AsAIAgent(new ChatClientAgentOptions
    {
        Name = "bitcoin-guide",
        ChatOptions = new ChatOptions
        {
            Instructions = "You explain Bitcoin in two or three sentences. Use get_price for questions about its value or price.",
            Tools = [AIFunctionFactory.Create(GetPrice, OfflineChatClient.PriceToolName)],
        },
    }.UseDexterSessions(provider));
}
catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
{
    Console.Error.WriteLine("Configuration error: " + ex.Message);
    return 2;
}

var store = agent.GetService<ISessionStore>()!;
Console.WriteLine($"Model:   {SampleModel.Describe(configuration)}");
Console.WriteLine($"Store:   {SampleStores.Describe(store, typeof(RedisSessionStore), typeof(InMemorySessionStore))}");

try
{
    // An agent session saved by an earlier run continues; otherwise a new one starts (its Dexter.Sessions id comes with its first run).
    AgentSession session;
    if (sessionFile is not null && File.Exists(sessionFile))
    {
        using var saved = JsonDocument.Parse(await File.ReadAllTextAsync(sessionFile));
        session = await agent.DeserializeSessionAsync(saved.RootElement);
        Console.WriteLine($"Session: {session.GetDexterSessionId()} (resumed from {sessionFile})");
    }
    else
    {
        session = await agent.CreateSessionAsync();
        Console.WriteLine("Session: new");
    }

    Console.WriteLine();
    foreach (var question in questions)
    {
        Console.WriteLine($"Q: {question}");
        var answering = false;
        await foreach (var update in agent.RunStreamingAsync(question, session))
        {
            foreach (var content in update.Contents)
            {
                switch (content)
                {
                    case FunctionCallContent call:
                        Console.WriteLine($"   tool call: {call.Name}({string.Join(", ", call.Arguments?.Select(a => $"{a.Key}: {a.Value}") ?? [])})");
                        break;
                    case FunctionResultContent result:
                        Console.WriteLine($"   tool result: {result.Result}");
                        break;
                    case TextContent { Text.Length: > 0 } text:
                        if (!answering)
                        {
                            Console.Write("A: ");
                            answering = true;
                        }

                        Console.Write(text.Text);
                        break;
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine();
    }

    if (sessionFile is not null)
    {
        await File.WriteAllTextAsync(sessionFile, (await agent.SerializeSessionAsync(session)).GetRawText());
    }

    var sessionId = session.GetDexterSessionId()!;
    var history = await store.GetAsync(sessionId) ?? new MessageHistory();
    Console.WriteLine($"Dexter.Sessions session: {sessionId}");
    Console.WriteLine($"Total turns: {history.Count}");
    foreach (var turn in history.GetAll())
    {
        var toolCalls = turn.ChatMessages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.Name).ToList();
        Console.WriteLine($"Turn {turn.Id}: {turn.Summary}{(toolCalls.Count > 0 ? $" [tools: {string.Join(", ", toolCalls)}]" : string.Empty)}");
    }
}
catch (SessionStoreUnavailableException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

return 0;

[Description("Gets the current price of a cryptocurrency, in US dollars.")]
static string GetPrice([Description("The ticker symbol, for example BTC.")] string symbol) =>
    symbol.Equals("BTC", StringComparison.OrdinalIgnoreCase)
        ? "BTC trades at 64,000 USD (a fixed sample quote)"
        : $"No sample quote for {symbol}";
