using System.Diagnostics;

namespace Dexter.Sessions.Samples.Tests;

/// <summary>Runs a sample's built assembly with <c>dotnet</c> and captures what it prints.</summary>
internal static class SampleProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(string assemblyName, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        Assert.That(File.Exists(path), Is.True, $"the sample was not built next to the tests: {path}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A clean environment for the settings the sample reads, so the machine's own cannot change the outcome.
        foreach (var name in new[] { "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "REDIS_URL", "DEXTER_SQLITE_PATH", "DEXTER_POSTGRES_URL", "DEXTER_USE_EMBEDDINGS", "DEXTER_SUMMARIZE_LLM", "DEXTER_MAX_CONTEXT_MESSAGES", "DEXTER_SESSION_TTL_SECONDS" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{assemblyName} did not finish within 2 minutes. Output so far: {await output}");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
