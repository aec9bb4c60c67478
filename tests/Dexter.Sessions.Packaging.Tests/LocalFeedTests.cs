using System.Diagnostics;
using System.Text;

namespace Dexter.Sessions.Packaging.Tests;

/// <summary>
/// The packages as a new user meets them: packed into a local feed, referenced by a fresh project outside the repository (none of
/// its build settings), with every C# snippet of every README compiled against them and the quick start run as written.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LocalFeedTests
{
    private static readonly string Root = FindRoot();
    private string _work = null!;
    private string _version = null!;

    [OneTimeSetUp]
    public async Task PackEveryPackageAsync()
    {
        _work = Directory.CreateTempSubdirectory("dexter-feed-").FullName;
        _version = "0.1.0-local." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var project in Packages())
        {
            var result = await RunAsync("dotnet", Root, "pack", project, "-c", "Release", "-o", Path.Combine(_work, "feed"), "-p:PackageVersion=" + _version, "-nologo", "-v", "quiet");
            Assert.That(result.ExitCode, Is.Zero, $"dotnet pack {project} failed:\n{result.Output}");
        }
    }

    [OneTimeTearDown]
    public void RemoveWork()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    [Test]
    public void Pack_EveryPackage_HasItsReadmeIconLicenseAndTags()
    {
        var packages = Directory.GetFiles(Path.Combine(_work, "feed"), "*.nupkg");
        Assert.That(packages.Select(Path.GetFileName), Is.EquivalentTo(Packages().Select(p => Path.GetFileNameWithoutExtension(p) + "." + _version + ".nupkg")));
        foreach (var package in packages)
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(package);
            var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            using var reader = new StreamReader(nuspecEntry.Open());
            var nuspec = reader.ReadToEnd();
            Assert.Multiple(() =>
            {
                Assert.That(zip.Entries.Select(e => e.FullName), Does.Contain("README.md").And.Contain("icon.png"), package);
                Assert.That(nuspec, Does.Contain("<license type=\"expression\">MIT</license>"), package);
                Assert.That(nuspec, Does.Contain("<icon>icon.png</icon>"), package);
                Assert.That(nuspec, Does.Contain("<releaseNotes>"), package);
                Assert.That(nuspec, Does.Match("<tags>[^<]+</tags>"), package);
            });
        }
    }

    [Test]
    public async Task ReadmeSnippets_CompileAgainstThePackages_AndTheQuickStartRunsAsWritten()
    {
        var snippets = Readmes().SelectMany(readme => ReadmeSnippet.Read(Root, readme)).ToList();
        Assert.That(snippets, Has.Count.GreaterThan(10), "the READMEs' C# blocks were found");
        var project = Path.Combine(_work, "consumer");
        Directory.CreateDirectory(project);
        await File.WriteAllTextAsync(Path.Combine(project, "nuget.config"), NuGetConfig());
        await File.WriteAllTextAsync(Path.Combine(project, "Consumer.csproj"), ConsumerProject());
        await File.WriteAllTextAsync(Path.Combine(project, "Placeholders.cs"), PlaceholdersSource);
        foreach (var snippet in snippets)
        {
            await File.WriteAllTextAsync(Path.Combine(project, snippet.ClassName + ".cs"), snippet.ToSource());
        }

        var quickStart = snippets.First(s => s.File == "README.md" && s.Heading == "Quick start");
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), $"await ReadmeSnippets.{quickStart.ClassName}.RunAsync(new ReadmeSnippets.EchoModel());\n");

        var build = await RunAsync("dotnet", project, "build", "-nologo", "-v", "quiet", "-clp:NoSummary");
        Assert.That(build.ExitCode, Is.Zero, "the README snippets do not compile against the packed packages:\n" + Errors(build.Output, snippets));

        var run = await RunAsync("dotnet", project, "run", "--no-build");
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.Zero, run.Output);
            Assert.That(run.Output, Does.Contain("Q: What is Bitcoin?"));
            Assert.That(run.Output, Does.Contain("Total turns: 3"));
            Assert.That(run.Output, Does.Contain("Turn 3: How do miners earn rewards?"));
        });
    }

    private static IEnumerable<string> Packages() =>
        Directory.GetDirectories(Path.Combine(Root, "src"))
            .Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal);

    private static IEnumerable<string> Readmes() =>
        new[] { "README.md" }.Concat(Directory.GetDirectories(Path.Combine(Root, "src"))
            .Select(d => Path.Combine("src", Path.GetFileName(d), "README.md"))
            .Where(p => File.Exists(Path.Combine(Root, p))));

    private string NuGetConfig()
    {
        // The repository's sources, and the local feed first.
        var config = File.ReadAllText(Path.Combine(Root, "nuget.config"));
        return config.Replace("<clear />", $"<clear />\n    <add key=\"local\" value=\"{Path.Combine(_work, "feed")}\" />", StringComparison.Ordinal);
    }

    private string ConsumerProject()
    {
        var references = new StringBuilder();
        foreach (var package in Packages())
        {
            references.AppendLine($"    <PackageReference Include=\"{Path.GetFileNameWithoutExtension(package)}\" Version=\"{_version}\" />");
        }

        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
                <NoWarn>$(NoWarn);CS1998;CS0162;CS8321;CS0168;CS0219;CS8618</NoWarn>
                <RestoreNoCache>true</RestoreNoCache>
              </PropertyGroup>
              <ItemGroup>
                <FrameworkReference Include="Microsoft.AspNetCore.App" />
            {references}    <!-- What the READMEs tell readers to add beside the packages. -->
                <PackageReference Include="Microsoft.Agents.AI" Version="1.28.0" />
                <PackageReference Include="Microsoft.Extensions.AI.OpenAI" Version="10.11.0" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.15" />
                <PackageReference Include="Microsoft.AspNetCore.OpenApi" Version="10.0.15" />
                <!-- A consumer on the newest StackExchange.Redis 3.x; the package itself asks for 2.8.16 or newer. -->
                <PackageReference Include="StackExchange.Redis" Version="3.4.35" />
              </ItemGroup>
            </Project>
            """;
    }

    /// <summary>The compiler's errors, each with the README place its file came from.</summary>
    private static string Errors(string output, IReadOnlyList<ReadmeSnippet> snippets)
    {
        var lines = output.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().Take(40).ToList();
        return string.Join('\n', lines.Select(l =>
        {
            var snippet = snippets.FirstOrDefault(s => l.Contains(s.ClassName + ".cs", StringComparison.Ordinal));
            return snippet is null ? l : $"{snippet}: {l}";
        }));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Dexter.Sessions.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Dexter.Sessions.sln was not found above the test directory.");
    }

    /// <summary>What the snippets' placeholders stand for, and a model the quick start runs with.</summary>
    private const string PlaceholdersSource = """
        using System.Runtime.CompilerServices;
        using Microsoft.Extensions.AI;

        namespace ReadmeSnippets;

        /// <summary>Methods a README snippet may call as a reader's own code.</summary>
        public static class Placeholders
        {
            public static string GetPrice(string symbol) => symbol + " costs 64000 USD";
        }

        /// <summary>A model that answers every question by repeating it, and names the context it was given.</summary>
        public sealed class EchoModel : IChatClient
        {
            public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
                Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer(messages))));

            public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, Answer(messages));
            }

            public object? GetService(Type serviceType, object? serviceKey = null) => null;

            public void Dispose()
            {
            }

            private static string Answer(IEnumerable<ChatMessage> messages)
            {
                var list = messages.ToList();
                var context = list.Count(m => m.Role == ChatRole.System);
                return $"You asked: {list.Last(m => m.Role == ChatRole.User).Text} (with {context} context messages)";
            }
        }
        """;
}
