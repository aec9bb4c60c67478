using System.Diagnostics;
using System.Globalization;
using Dexter.Sessions.Embeddings.MiniLM;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

// Usage: dotnet run -c Release --project benchmarks/Dexter.Sessions.Embeddings.MiniLM.Benchmarks [rounds]
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
string[] sentences =
[
    "The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium.", "What is Bitcoin?",
    "How do miners earn rewards for adding a block to the chain?", "Deploy the service to production after the tests pass.",
    "Can you remind me what we decided about the database migration last week?", "Café Zürich opens at eight on Sundays.",
    "Summarize the three options we compared for caching, with their costs.", "Why did the nightly build fail?",
    "The invoice for March is missing the shipping line.", "Book a table for four at seven tonight.",
    "Which of the two laptops has the better battery life according to the reviews you found?", "Translate 'good morning' into German.",
    "My flight was cancelled; what are my rights under the EU rules?", "Explain the difference between a mutex and a semaphore.",
    "Add milk, eggs and coffee to the shopping list.", "How many tokens does the context window of the model hold?",
    "Set the thermostat to 21 degrees when I get home.", "What did the customer say about the delivery delay in her second email?",
    "Is it going to rain in Paris on Thursday?", "Rename the variable so that it says what it counts.",
    "The meeting moved to Tuesday at three.", "List the open issues that mention the Redis store.",
    "How long should I boil an egg for a soft yolk?", "Compare the mortgage offers by their total cost over twenty years.",
    "Play something calm for studying.", "Who wrote the report on renewable energy subsidies?",
    "Cancel my subscription at the end of the month.", "What is the capital of Australia?",
    "The second test fails only when it runs after the first one.", "Remind me to call the dentist tomorrow morning.",
];
var longText = string.Join(' ', Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 40)); // cut to 256 tokens
string[] longTexts = [.. Enumerable.Repeat(longText, 32)];

using var process = Process.GetCurrentProcess();
var before = WorkingSetMb(process);
var log = new LoadLog();
using var generator = new MiniLMEmbeddingGenerator(logger: log);
var clock = Stopwatch.StartNew();
await generator.GenerateAsync(["warm up"]);
var firstCall = clock.Elapsed.TotalMilliseconds;
GC.Collect();
var afterLoad = WorkingSetMb(process);

var single = new List<double>();
var batched = new List<double>();
var longSingle = new List<double>();
var longBatched = new List<double>();
for (var round = 0; round < rounds; round++)
{
    clock.Restart();
    foreach (var sentence in sentences)
    {
        await generator.GenerateAsync([sentence]);
    }

    single.Add(clock.Elapsed.TotalMilliseconds / sentences.Length);

    clock.Restart();
    await generator.GenerateAsync(sentences);
    batched.Add(clock.Elapsed.TotalMilliseconds / sentences.Length);

    clock.Restart();
    await generator.GenerateAsync([longText]);
    longSingle.Add(clock.Elapsed.TotalMilliseconds);

    clock.Restart();
    await generator.GenerateAsync(longTexts);
    longBatched.Add(clock.Elapsed.TotalMilliseconds / longTexts.Length);
}

var afterRuns = WorkingSetMb(process);
var tokens = (await generator.GenerateAsync(sentences)).Usage?.InputTokenCount;
Console.WriteLine($"{Environment.ProcessorCount} logical cores, {Environment.OSVersion}, .NET {Environment.Version}, {rounds} rounds (median)");
Console.WriteLine($"first call (model load + one short text): {firstCall:0} ms; {log.Message}");
Console.WriteLine($"working set: {before:0} MB before, {afterLoad:0} MB after the load, {afterRuns:0} MB after the runs");
Console.WriteLine($"short sentences ({tokens / sentences.Length} tokens on average), one per call: {Median(single):0.0} ms per sentence");
Console.WriteLine($"short sentences, {sentences.Length} per call: {Median(batched):0.0} ms per sentence");
Console.WriteLine($"256-token text, one per call: {Median(longSingle):0.0} ms");
Console.WriteLine($"256-token texts, {longTexts.Length} per call: {Median(longBatched):0.0} ms per text");

static double WorkingSetMb(Process process)
{
    process.Refresh();
    return process.WorkingSet64 / (1024.0 * 1024.0);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

/// <summary>Keeps the generator's model-loaded message (event 4100), which says how long the load itself took.</summary>
internal sealed class LoadLog : ILogger<MiniLMEmbeddingGenerator>
{
    public string? Message { get; private set; }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == 4100)
        {
            Message = formatter(state, exception);
        }
    }
}
