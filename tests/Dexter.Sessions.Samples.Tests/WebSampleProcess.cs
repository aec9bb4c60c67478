using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dexter.Sessions.Testing;

namespace Dexter.Sessions.Samples.Tests;

/// <summary>
/// The web sample running as its own process on a free loopback port, as <c>dotnet run</c> would start it; ready once
/// <c>/health</c> answers, killed when disposed.
/// </summary>
internal sealed class WebSampleProcess : IAsyncDisposable
{
    private const string AssemblyName = "Dexter.Sessions.WebSample";
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WebSampleProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<WebSampleProcess> StartAsync(IReadOnlyDictionary<string, string?> environment)
    {
        var path = Path.Combine(AppContext.BaseDirectory, AssemblyName + ".dll");
        Assert.That(File.Exists(path), Is.True, $"the web sample was not built next to the tests: {path}");
        var port = RedisServer.FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString());
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(SampleDirectory());

        // A clean environment for the settings the sample reads, so the machine's own cannot change the outcome.
        foreach (var name in new[] { "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "REDIS_URL", "BACKEND_API_KEY", "JWT_SECRET", "SECURE_COOKIES", "DEXTER_RATE_LIMIT_PER_MINUTE", "DEXTER_USE_EMBEDDINGS", "DEXTER_ENCRYPT_AT_REST", "DEXTER_KEYS_PATH", "ASPNETCORE_URLS" })
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var sample = new WebSampleProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => sample.Append(e.Data);
        process.ErrorDataReceived += (_, e) => sample.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var health = await sample.Client.GetAsync("/health");
                if (health.IsSuccessStatusCode)
                {
                    return sample;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        var output = sample.Output;
        await sample.DisposeAsync();
        throw new TimeoutException($"The web sample did not answer /health within 60 s. Its output: {output}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string SampleDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "samples", AssemblyName);
            if (Directory.Exists(Path.Combine(candidate, "wwwroot")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"samples/{AssemblyName} was not found above {AppContext.BaseDirectory}.");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
